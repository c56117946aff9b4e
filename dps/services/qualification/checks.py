"""The qualification checks in one name, for callers outside the qualification package.

The parts live in ``registry`` (the checks known, and what each gathers before its verdict in
``dps.rules.checks``), ``runs`` (starting, running and closing runs) and ``results`` (what the
pages read); new code may import those directly.
"""

from __future__ import annotations

from dps.rules.checks.recommendation import recommendation
from dps.rules.checks.verdict import CheckVerdict
from dps.services.qualification.registry import (
    CHECKS,
    ORDER,
    WHOLE_APPLICATION,
    Check,
    CheckContext,
    TransientCheckError,
    label_of,
    register,
    registered,
    scope_of,
)
from dps.services.qualification.results import latest_results, results_by_run
from dps.services.qualification.runs import (
    RUN_CHECK_TASK,
    CheckError,
    cancel_pending,
    rerun_check,
    run_check,
    start_run,
    start_submission_checks,
)

__all__ = [
    "CHECKS",
    "ORDER",
    "RUN_CHECK_TASK",
    "WHOLE_APPLICATION",
    "Check",
    "CheckContext",
    "CheckError",
    "CheckVerdict",
    "TransientCheckError",
    "cancel_pending",
    "label_of",
    "latest_results",
    "recommendation",
    "register",
    "registered",
    "rerun_check",
    "results_by_run",
    "run_check",
    "scope_of",
    "start_run",
    "start_submission_checks",
]

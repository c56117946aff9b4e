"""The checks' one name for callers outside the package gives the registry's, runs' and
results' own functions, not copies."""

from __future__ import annotations

from dps.services.qualification import checks, registry, results, runs


def test_each_public_name_is_the_module_s_own() -> None:
    for name in checks.__all__:
        owner = next(
            (module for module in (registry, runs, results) if hasattr(module, name)), None
        )
        if owner is not None:
            assert getattr(checks, name) is getattr(owner, name), name

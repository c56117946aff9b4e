"""The code keeps its shape: layers import only downwards, no import cycles, no huge modules.

The layering is in the README ("How the code is laid out") and its table in
``tests/fixtures/layering.py``. Each failure names the file and line to change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures import layering

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 400


def test_no_layer_imports_what_it_may_not() -> None:
    found = layering.breaches(ROOT)
    assert not found, "Imports against the layering:\n" + "\n".join(map(str, found))


def test_no_import_cycles() -> None:
    found = layering.cycles(ROOT)
    assert not found, "Modules that import each other:\n" + "\n".join(
        " -> ".join(group) for group in found
    )


def test_the_rules_tests_need_no_database_and_no_app() -> None:
    """The pure core is tested as it is used: plain values in, verdicts out."""
    known = layering.modules(ROOT, ["tests/unit/rules"])
    needs = ("flask", "sqlalchemy", "dps.models", "dps.services", "dps.extensions", "dps.web")
    found = [
        f"{imp.where()}: {imp.imported}"
        for imp in layering.imports(ROOT, known)
        if imp.imported.startswith(needs)
        or imp.imported.startswith(("tests.conftest", "tests.fixtures"))
    ]
    fixtures = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in known.values()
        for name in ("(app:", "(pg_app:", "(client:", ", app:", ", pg_app:", ", client:")
        if name in path.read_text()
    ]
    assert not found and not fixtures, "Rules tests that need more: " + ", ".join(found + fixtures)


def test_services_never_load_task_modules() -> None:
    """Services hand work over by task name through the outbox; they never load the workers."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "dps" / "services").rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "load_task_modules" in line or "import workers" in line
    ]
    assert not offenders, "Services reaching the workers: " + ", ".join(offenders)


def test_no_module_passes_the_line_limit() -> None:
    long = {
        str(path.relative_to(ROOT)): count
        for package in ("dps", "workers")
        for path in (ROOT / package).rglob("*.py")
        if (count := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"Modules over {MAX_LINES} lines: {long}"


def test_every_service_module_has_its_test_module() -> None:
    missing = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "dps" / "services").rglob("*.py"))
        if path.name != "__init__.py"
        and not (
            ROOT
            / "tests/unit/services"
            / path.parent.relative_to(ROOT / "dps" / "services")
            / f"test_{path.name}"
        ).exists()
    ]
    assert not missing, "Service modules without a test module of the same name: " + ", ".join(
        missing
    )


# --- The checker itself finds what it must ---------------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


BASE = {
    "dps/__init__.py": "",
    "dps/rules/__init__.py": "",
    "dps/models/__init__.py": "",
    "dps/services/__init__.py": "",
    "dps/web/__init__.py": "",
    "workers/__init__.py": "",
}


@pytest.mark.parametrize(
    ("path", "text", "rule"),
    [
        ("dps/services/a.py", "from dps.web import views\n", "services may not import web"),
        ("dps/models/a.py", "x = 1\n\ndef f():\n    from dps.services import b\n", "models may"),
        ("dps/rules/a.py", "from dps.models import thing\n", "rules may not import models"),
        ("dps/rules/a.py", "import sqlalchemy as sa\n", "rules may not import sqlalchemy"),
        ("dps/rules/a.py", "from flask import current_app\n", "rules may not import flask"),
        ("dps/services/a.py", "import workers.checks\n", "services may not import workers"),
        ("workers/a.py", "from dps.web.admin import routes\n", "workers may not import web"),
    ],
)
def test_the_checker_names_a_breach_with_its_file_and_line(
    tmp_path: Path, path: str, text: str, rule: str
) -> None:
    root = _tree(tmp_path, {**BASE, path: text})
    found = layering.breaches(root)
    assert len(found) == 1
    assert rule in found[0].rule
    assert str(found[0]).startswith(f"{path}:")


def test_the_checker_allows_what_the_layering_allows(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            **BASE,
            "dps/rules/a.py": "from dps.rules import b\nimport datetime\n",
            "dps/rules/b.py": "",
            "dps/models/a.py": "from dps.rules import a\nimport sqlalchemy\n",
            "dps/services/a.py": "from dps.models import a\nfrom dps.rules import b\n",
            "dps/web/a.py": "from dps.services import a\n",
            "workers/a.py": "from dps.services import a\n",
        },
    )
    assert layering.breaches(root) == []
    assert layering.cycles(root) == []


def test_the_checker_finds_a_cycle_but_not_a_blueprint(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            **BASE,
            "dps/services/a.py": "from dps.services import b\n",
            "dps/services/b.py": "def f():\n    from dps.services.c import g\n",
            "dps/services/c.py": "from dps.services.a import x\n",
            "dps/web/admin/__init__.py": "bp = 1\nfrom dps.web.admin import routes\n",
            "dps/web/admin/routes.py": "from dps.web.admin import bp\n",
            "dps/models/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from dps.models.b import B\n",
            "dps/models/b.py": "from dps.models.a import A\n",
        },
    )
    assert layering.cycles(root) == [["dps.services.a", "dps.services.b", "dps.services.c"]]

"""docker-compose.yml and the Dockerfile run the same code as the tests, configured as production.

There is no Docker engine here, so these read the files: the compose file must parse, name every
service, start the processes the README describes, and give each one an environment that the
application's own production checks accept.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from dps.celery_app import ALL_QUEUES
from dps.config import load_config

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat", "migrate")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def command(service: dict[str, Any]) -> str:
    value = service["command"]
    return value if isinstance(value, str) else shlex.join(value)


def interpolate(value: str) -> str:
    """What compose would substitute, with a value supplied for each ${VAR:?...} it requires."""
    required = {"BASE_URL": "https://dps.example.org"}
    value = re.sub(
        r"\$\{(\w+):\?[^}]*\}", lambda match: required.get(match.group(1), "s" * 64), value
    )
    return re.sub(r"\$\{(\w+):-([^}]*)\}", r"\2", value)


def environment(service: dict[str, Any]) -> dict[str, str]:
    return {name: interpolate(str(value)) for name, value in service["environment"].items()}


def test_every_service_is_there(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {
        "web",
        "worker",
        "beat",
        "migrate",
        "postgres",
        "redis",
        "mailpit",
    }
    services = compose["services"]
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert services["mailpit"]["image"].startswith("axllent/mailpit")
    assert "8025:8025" in services["mailpit"]["ports"]


def test_the_processes_are_the_ones_the_readme_gives(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert command(services["web"]).endswith("wsgi:app")
    assert command(services["web"]).startswith("gunicorn ")
    worker = command(services["worker"])
    assert worker.startswith("celery -A workers worker")
    listened = set(worker.split("-Q ", 1)[1].split()[0].split(","))
    assert listened == set(ALL_QUEUES)  # a queue nobody listens to would hold work for ever
    assert command(services["beat"]).startswith("celery -A workers beat")
    migrate = command(services["migrate"])
    assert "flask --app wsgi db upgrade" in migrate
    assert "flask --app wsgi grant-app-role dps_app" in migrate
    assert services["migrate"]["restart"] == "no"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_each_app_service_passes_the_production_checks(
    compose: dict[str, Any], name: str, tmp_path: Path
) -> None:
    env = environment(compose["services"][name])
    assert env["DPS_ENV"] == "production"
    assert env["SMTP_HOST"] == "mailpit"
    assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379/")
    config = load_config({**env, "DPS_INSTANCE_PATH": str(tmp_path)})  # raises if refused
    assert config["TASKS_IN_PROCESS"] is False
    assert config["MAIL_BACKEND"] == "smtp"


def test_the_app_connects_as_its_role_and_only_migrate_as_the_owner(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    for name in ("web", "worker", "beat"):
        assert environment(services[name])["DATABASE_URL"].startswith("postgresql://dps_app:")
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    migrate = environment(services["migrate"])
    assert migrate["DATABASE_URL"].startswith("postgresql://dps_owner:")
    assert migrate["MIGRATION_DATABASE_URL"] == migrate["DATABASE_URL"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_postgres_creates_the_application_role_as_no_superuser(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    mount = next(v for v in postgres["volumes"] if "docker-entrypoint-initdb.d" in v)
    init_dir = ROOT / mount.split(":")[0]
    [script] = sorted(init_dir.glob("*.sh"))
    text = script.read_text()
    assert "CREATE ROLE dps_app LOGIN NOSUPERUSER" in text
    assert script.stat().st_mode & 0o111  # the image runs executable scripts
    assert postgres["environment"]["POSTGRES_USER"] == "dps_owner"


def test_the_image_builds_assets_with_node_and_runs_on_python_311() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", dockerfile, flags=re.MULTILINE)
    assert stages[-1] == "python:3.11-slim"
    assert any(stage.startswith("node:") for stage in stages[:-1])
    assert "npm ci" in dockerfile  # from the committed lockfile
    assert "USER dps" in dockerfile  # not root
    ignored = (ROOT / ".dockerignore").read_text().split()
    for path in (".venv", "node_modules", "instance", ".git"):
        assert path in ignored

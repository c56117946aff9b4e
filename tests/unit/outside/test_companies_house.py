"""The Companies House check and its HTTP client, against a local stub that answers like the API.

The real client (httpx) makes real HTTP requests to tests/ch_stub.py; nothing calls the real
service. Every company_status of the published constants is checked through the whole path:
the stub answers with it, the client reads it, the check decides.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask

from dps.config import ConfigurationError
from dps.models.checks import CheckResult
from dps.outside import rate_limit
from dps.outside.companies_house import (
    CompaniesHouseClient,
    CompaniesHouseRefused,
    CompaniesHouseUnavailable,
    Settings,
    _retry_after,
)
from dps.rules.checks.companies_house import STATUSES
from dps.rules.enums import CheckOutcome, CheckState, LegalForm
from dps.rules.names import names_match
from dps.services.qualification.registry import TransientCheckError, companies_house_verdict
from tests.fixtures import ch_stub, services
from tests.fixtures.ch_stub import CompaniesHouseStub

CONSTANTS = Path(
    os.environ.get(
        "COMPANIES_HOUSE_CONSTANTS",
        Path(__file__).resolve().parents[3] / "reference/companies-house/constants.yml",
    )
)
KEY = "test-key"

FAILING = {"dissolved", "closed", "converted-closed", "removed"}
INSOLVENT = {
    "liquidation",
    "receivership",
    "administration",
    "insolvency-proceedings",
    "voluntary-arrangement",
}


def published_statuses() -> list[str]:
    """Every company_status in Companies House's constants.yml (the shared reference copy)."""
    if not CONSTANTS.exists():
        return []
    constants = yaml.safe_load(CONSTANTS.read_text())
    return sorted(constants["company_status"])


def expected_outcome(status: str) -> CheckOutcome:
    if status == "active":
        return CheckOutcome.PASS
    if status in FAILING:
        return CheckOutcome.FAIL
    return CheckOutcome.REFER  # insolvency, and anything else: a person decides


@pytest.fixture
def stub() -> Iterator[CompaniesHouseStub]:
    with CompaniesHouseStub(api_key=KEY, slow_seconds=5) as running:
        yield running


def settings_for(url: str, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "api_url": url,
        "api_key": KEY,
        "timeout_seconds": 2.0,
        "rate": rate_limit.Rate(100, 1.0),
        "redis_url": "",
    }
    values.update(changes)
    return Settings(**values)


def client_for(stub: CompaniesHouseStub, **changes: Any) -> CompaniesHouseClient:
    settings = settings_for(stub.url, **changes)
    # A limiter of the test's own, so no test inherits another's slots or pause.
    limiter = rate_limit.LocalRateLimiter(settings.rate, hold_seconds=5)
    return CompaniesHouseClient(settings, limiter=limiter)


def profile(
    number: str | None = ch_stub.ACTIVE,
    name: str = "Co-operative Futures Ltd",
    legal_form: LegalForm | None = LegalForm.COMPANY,
) -> dict[str, Any]:
    """A profile as the application's snapshot keeps it."""
    return {
        "legal_name": name,
        "legal_form": legal_form.value if legal_form else None,
        "companies_house_number": number,
        "charity_number": None,
        "fca_number": None,
    }


# --- every status -------------------------------------------------------------------------------


def test_the_reference_list_of_statuses_is_there() -> None:
    if not CONSTANTS.exists():
        services.missing(f"Companies House constants at {CONSTANTS}")
    assert "active" in published_statuses()


def test_every_published_status_is_in_the_table_and_nothing_else() -> None:
    statuses = published_statuses()
    if not statuses:
        services.missing(f"Companies House constants at {CONSTANTS}")
    assert sorted(STATUSES) == statuses


@pytest.mark.parametrize("status", published_statuses())
def test_each_published_status_decides_the_check(stub: CompaniesHouseStub, status: str) -> None:
    stub.add_company("07000001", "CO-OPERATIVE FUTURES LIMITED", status)

    verdict = companies_house_verdict(profile("07000001"), client_for(stub))

    assert verdict.outcome == expected_outcome(status)
    assert verdict.evidence["company_status"] == status
    if status in INSOLVENT:
        assert "discretionary exclusion ground for insolvency" in verdict.reason
    if status == "active":
        assert "matches the name given" in verdict.reason
    else:
        assert "as active" not in verdict.reason


def test_a_status_not_in_the_published_list_refers(stub: CompaniesHouseStub) -> None:
    stub.add_company("07000002", "CO-OPERATIVE FUTURES LIMITED", "something-new")

    verdict = companies_house_verdict(profile("07000002"), client_for(stub))

    assert verdict.outcome == CheckOutcome.REFER
    assert "something-new" in verdict.reason
    assert "a person must look" in verdict.reason


# --- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "registered"),
    [
        ("Co-operative Futures Ltd", "CO-OPERATIVE FUTURES LIMITED"),
        ("Co-operative Futures Ltd.", "COOPERATIVE FUTURES LIMITED"),
        ("co-operative   futures", "CO-OPERATIVE FUTURES LTD"),
        ("Capacity Works CIC", "CAPACITY WORKS COMMUNITY INTEREST COMPANY"),
        ("Capacity Works C.I.C.", "CAPACITY WORKS CIC"),
        ("The Oldham Co-op Ltd", "OLDHAM CO-OP LIMITED"),
        ("Smith & Jones plc", "SMITH AND JONES PUBLIC LIMITED COMPANY"),
        ("O’Neill Consulting Limited", "O'NEILL CONSULTING LIMITED"),
        ("Menter Da Cyf", "MENTER DA CYFYNGEDIG"),
        ("Futures (North West) Ltd", "FUTURES NORTH WEST LIMITED"),
    ],
)
def test_names_equal_after_normalising_match(given: str, registered: str) -> None:
    assert names_match(given, registered)


@pytest.mark.parametrize(
    ("given", "registered"),
    [
        ("Co-op Futures Ltd", "CO-OPERATIVE FUTURES LIMITED"),
        ("Co-operative Futures Ltd", "CO-OPERATIVE FUTURES (NORTH) LIMITED"),
        ("Futures Group Ltd", "FUTURES LIMITED"),
        ("Theatre Works Ltd", "WORKS LIMITED"),
        ("Limited Editions Ltd", "EDITIONS LIMITED"),
    ],
)
def test_different_names_do_not_match(given: str, registered: str) -> None:
    assert not names_match(given, registered)


def test_an_active_company_under_another_name_refers_showing_both_names(
    stub: CompaniesHouseStub,
) -> None:
    verdict = companies_house_verdict(profile(name="Co-op Futures Ltd"), client_for(stub))

    assert verdict.outcome == CheckOutcome.REFER
    assert "CO-OPERATIVE FUTURES LIMITED" in verdict.reason
    assert "Co-op Futures Ltd" in verdict.reason
    assert verdict.evidence["name_matches"] is False


def test_a_dissolved_company_fails_whatever_its_name(stub: CompaniesHouseStub) -> None:
    verdict = companies_house_verdict(
        profile(ch_stub.DISSOLVED, "Someone Else Ltd"), client_for(stub)
    )

    assert verdict.outcome == CheckOutcome.FAIL
    assert "dissolved" in verdict.reason
    assert "GONE BEFORE LIMITED" in verdict.reason


# --- who it applies to ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "legal_form",
    [LegalForm.SOCIETY, LegalForm.CHARITY, LegalForm.PARTNERSHIP, LegalForm.SOLE_TRADER],
)
def test_legal_forms_without_a_number_are_not_applicable_and_nothing_is_asked(
    stub: CompaniesHouseStub, legal_form: LegalForm
) -> None:
    verdict = companies_house_verdict(profile(None, legal_form=legal_form), client_for(stub))

    assert verdict.outcome == CheckOutcome.NOT_APPLICABLE
    assert "Companies House number" in verdict.reason
    assert stub.requests() == []


def test_a_charity_that_is_also_a_company_is_looked_up(stub: CompaniesHouseStub) -> None:
    verdict = companies_house_verdict(profile(legal_form=LegalForm.CHARITY), client_for(stub))

    assert verdict.outcome == CheckOutcome.PASS
    assert [r["number"] for r in stub.requests()] == [ch_stub.ACTIVE]


@pytest.mark.parametrize("legal_form", [LegalForm.COMPANY, LegalForm.CIC, LegalForm.OTHER, None])
def test_no_number_where_one_is_expected_or_may_be_refers(
    stub: CompaniesHouseStub, legal_form: LegalForm | None
) -> None:
    verdict = companies_house_verdict(profile(None, legal_form=legal_form), client_for(stub))

    assert verdict.outcome == CheckOutcome.REFER
    assert "No Companies House number was given" in verdict.reason


# --- no key, a wrong key ---------------------------------------------------------------------


def test_without_a_key_the_check_refers_and_says_why(stub: CompaniesHouseStub) -> None:
    verdict = companies_house_verdict(profile(), client_for(stub, api_key=""))

    assert verdict.outcome == CheckOutcome.REFER
    assert "no Companies House API key is configured" in verdict.reason
    assert verdict.evidence["looked_up"] is False
    assert stub.requests() == []


def test_the_default_configuration_has_no_key_so_the_registered_check_refers(app: Flask) -> None:
    from dps.services.qualification.registry import CHECKS, CheckContext, registered

    assert app.config["COMPANIES_HOUSE_API_KEY"] == ""
    assert "companies_house" in {c.name for c in registered()}
    assert CHECKS["companies_house"].per_lot is False
    context = CheckContext(
        run_id=1,
        organisation_id=1,
        snapshot={"profile": profile()},
        lot=None,
        today=date(2026, 11, 25),
    )

    verdict = CHECKS["companies_house"].function(context)

    assert verdict.outcome == CheckOutcome.REFER
    assert "COMPANIES_HOUSE_API_KEY" in verdict.reason


def test_a_key_companies_house_refuses_refers_and_says_so(stub: CompaniesHouseStub) -> None:
    verdict = companies_house_verdict(profile(), client_for(stub, api_key="wrong-key"))

    assert verdict.outcome == CheckOutcome.REFER
    assert "refused the API key (401)" in verdict.reason
    assert stub.requests()[0]["key_ok"] is False


# --- the client against the stub -------------------------------------------------------------


def test_an_active_company_is_read_with_the_key_as_the_basic_auth_user(
    stub: CompaniesHouseStub,
) -> None:
    company = client_for(stub).company(" 0934 5678 ")

    assert company is not None
    assert company.number == ch_stub.ACTIVE
    assert company.name == "CO-OPERATIVE FUTURES LIMITED"
    assert company.status == "active"
    assert company.type == "ltd"
    assert company.date_of_creation == "2014-12-01"
    assert company.looked_up_at.tzinfo is not None
    [request] = stub.requests()
    assert request["number"] == ch_stub.ACTIVE
    assert request["key_ok"] is True
    assert request["status"] == 200


def test_the_evidence_keeps_the_number_status_name_and_time(stub: CompaniesHouseStub) -> None:
    verdict = companies_house_verdict(profile(), client_for(stub))

    assert verdict.outcome == CheckOutcome.PASS
    evidence = verdict.evidence
    assert evidence["company_number"] == ch_stub.ACTIVE
    assert evidence["company_status"] == "active"
    assert evidence["company_name"] == "CO-OPERATIVE FUTURES LIMITED"
    assert evidence["name_given"] == "Co-operative Futures Ltd"
    assert evidence["looked_up_at"].endswith("+00:00")


def test_dissolved_and_in_liquidation_come_back_as_the_register_says(
    stub: CompaniesHouseStub,
) -> None:
    client = client_for(stub)
    dissolved = client.company(ch_stub.DISSOLVED)
    liquidation = client.company(ch_stub.LIQUIDATION)

    assert dissolved is not None and dissolved.status == "dissolved"
    assert liquidation is not None and liquidation.status == "liquidation"
    verdict = companies_house_verdict(profile(ch_stub.LIQUIDATION, "Winding Down Ltd"), client)
    assert verdict.outcome == CheckOutcome.REFER
    assert "in liquidation" in verdict.reason


def test_a_company_not_on_the_register_is_none_and_fails_the_check(
    stub: CompaniesHouseStub,
) -> None:
    assert client_for(stub).company(ch_stub.NOT_FOUND) is None

    verdict = companies_house_verdict(profile(ch_stub.NOT_FOUND), client_for(stub))
    assert verdict.outcome == CheckOutcome.FAIL
    assert f"no company numbered {ch_stub.NOT_FOUND}" in verdict.reason
    assert verdict.evidence["found"] is False


def test_429_is_retried_later_no_sooner_than_retry_after_and_every_caller_backs_off(
    stub: CompaniesHouseStub,
) -> None:
    client = client_for(stub, max_wait_seconds=1.0)
    with pytest.raises(TransientCheckError) as raised:
        companies_house_verdict(profile(ch_stub.RATE_LIMITED), client)

    assert isinstance(raised.value.__cause__, CompaniesHouseUnavailable)
    assert raised.value.retry_after == ch_stub.RETRY_AFTER_SECONDS
    # The limiter now holds every look-up back for as long as Companies House asked.
    granted, wait = client.limiter.try_acquire("next")
    assert not granted
    assert ch_stub.RETRY_AFTER_SECONDS - 1 < wait <= ch_stub.RETRY_AFTER_SECONDS
    # A wait longer than the client will sit through hands the check back to be retried.
    with pytest.raises(CompaniesHouseUnavailable) as again:
        client.company(ch_stub.ACTIVE)
    assert again.value.retry_after is not None and again.value.retry_after > 5
    assert len(stub.requests()) == 1


def test_a_server_error_is_transient(stub: CompaniesHouseStub) -> None:
    with pytest.raises(TransientCheckError, match=r"server error \(500\)"):
        companies_house_verdict(profile(ch_stub.SERVER_ERROR), client_for(stub))


def test_a_slow_answer_times_out_as_a_transient_fault(stub: CompaniesHouseStub) -> None:
    client = client_for(stub, timeout_seconds=0.3)

    with pytest.raises(CompaniesHouseUnavailable, match=r"did not answer within 0.3 seconds"):
        client.company(ch_stub.SLOW)
    assert stub.held() == 1  # the stub is still holding it: we gave up, it did not answer
    stub.release()


def test_a_released_slow_request_answers_as_active(stub: CompaniesHouseStub) -> None:
    stub.release()
    company = client_for(stub).company(ch_stub.SLOW)
    assert company is not None and company.status == "active"


def test_no_connection_is_transient() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    settings = settings_for(f"http://127.0.0.1:{closed_port}")
    client = CompaniesHouseClient(settings, limiter=rate_limit.LocalRateLimiter(settings.rate, 5))

    with pytest.raises(CompaniesHouseUnavailable, match="could not be reached"):
        client.company(ch_stub.ACTIVE)


def test_a_full_rate_limit_hands_the_check_back_to_be_retried(stub: CompaniesHouseStub) -> None:
    client = client_for(stub, rate=rate_limit.Rate(1, 60.0))
    client.company(ch_stub.ACTIVE)

    with pytest.raises(CompaniesHouseUnavailable) as raised:
        client.company(ch_stub.ACTIVE)
    assert raised.value.retry_after is not None and 55 < raised.value.retry_after <= 60
    assert len(stub.requests()) == 1


def test_a_number_that_is_not_a_company_number_is_never_sent(stub: CompaniesHouseStub) -> None:
    with pytest.raises(ValueError, match="not a Companies House number"):
        client_for(stub).company("../admin")
    assert stub.requests() == []


# --- configuration ----------------------------------------------------------------------------


def test_settings_come_from_the_configuration() -> None:
    settings = Settings.from_config(
        {
            "COMPANIES_HOUSE_API_URL": "http://127.0.0.1:9/",
            "COMPANIES_HOUSE_API_KEY": "k",
            "COMPANIES_HOUSE_TIMEOUT_SECONDS": 3,
            "COMPANIES_HOUSE_RATE_LIMIT": "5 per 2 seconds",
            "REDIS_URL": "",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6390/0",
        }
    )
    assert settings.api_url == "http://127.0.0.1:9"
    assert settings.rate == rate_limit.Rate(5, 2.0)
    assert settings.timeout_seconds == 3.0
    # The limiter is shared through the broker's Redis when REDIS_URL is not set.
    assert settings.redis_url == "redis://127.0.0.1:6390/0"


def test_the_default_is_the_published_limit_and_a_bad_one_says_why(app: Flask) -> None:
    assert Settings.from_config(app.config).rate == rate_limit.Rate(600, 300.0)
    with pytest.raises(ConfigurationError, match="COMPANIES_HOUSE_RATE_LIMIT"):
        Settings.from_config({"COMPANIES_HOUSE_RATE_LIMIT": "lots"})


def test_retry_after_is_read_as_seconds_or_a_date() -> None:
    assert _retry_after("120") == 120.0
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: now
    assert _retry_after("soon") is None
    assert _retry_after("١٢٠") is None  # only the digits 0 to 9 are seconds
    assert _retry_after("９" * 50) is None
    assert _retry_after(None) is None


def test_the_stub_runs_as_a_process_of_its_own() -> None:
    from tests.fixtures.smtp_sink import free_port

    port = free_port()
    with ch_stub.run_stub_process(port, slow_seconds=5) as control:
        settings = settings_for(f"http://127.0.0.1:{port}")
        client = CompaniesHouseClient(
            settings, limiter=rate_limit.LocalRateLimiter(settings.rate, 5)
        )
        company = client.company(ch_stub.ACTIVE_CIC)
        assert company is not None and company.name == "CAPACITY WORKS CIC"
        assert [r["number"] for r in control.requests()] == [ch_stub.ACTIVE_CIC]
        with pytest.raises(CompaniesHouseRefused):
            CompaniesHouseClient(
                settings_for(settings.api_url, api_key="wrong"), limiter=client.limiter
            ).company(ch_stub.ACTIVE)


# --- through the pipeline: a real submission, the checks run in-process -----------------------


@pytest.fixture
def submitted_with(app: Flask, stub: CompaniesHouseStub) -> Callable[[str | None], CheckResult]:
    """Submit the world's application (its profile: Co-operative Futures Ltd, 09345678) with
    the Companies House number given, and return its Companies House result once the checks
    have run in this process, as on the embedded default."""
    from dps.services.applications import submission
    from dps.services.qualification import results as check_results
    from dps.services.suppliers import profiles
    from tests.fixtures.application_world import (
        DECLARATION,
        DURING_THE_PERIOD,
        make_world,
        ready_to_send,
    )

    app.config.update(COMPANIES_HOUSE_API_URL=stub.url, COMPANIES_HOUSE_API_KEY=KEY)

    def submit(number: str | None) -> CheckResult:
        world = make_world()
        application = ready_to_send(world, [1])
        if number is not None:
            assert (
                profiles.update_profile(
                    world.supplier.id, {"companies_house_number": number}, world.owner
                )
                == {}
            )
        submission.submit(application, DECLARATION, actor=world.owner, at=DURING_THE_PERIOD)
        return check_results.latest_results(application.id)[("companies_house", "all")]

    return submit


def test_a_submission_checks_the_company_once_and_keeps_the_evidence(
    submitted_with: Callable[[str | None], CheckResult], stub: CompaniesHouseStub
) -> None:
    result = submitted_with(None)

    assert (result.state, result.outcome, result.attempts) == (
        CheckState.DONE,
        CheckOutcome.PASS,
        1,
    )
    assert result.evidence is not None
    assert result.evidence["company_number"] == ch_stub.ACTIVE
    assert result.evidence["company_status"] == "active"
    assert result.evidence["company_name"] == "CO-OPERATIVE FUTURES LIMITED"
    assert result.evidence["looked_up_at"]
    assert [r["number"] for r in stub.requests()] == [ch_stub.ACTIVE]


def test_a_companies_house_that_keeps_failing_ends_as_an_error_for_a_person(
    app: Flask, submitted_with: Callable[[str | None], CheckResult], stub: CompaniesHouseStub
) -> None:
    result = submitted_with(ch_stub.SERVER_ERROR)

    tries = int(app.config["CHECKS_MAX_RETRIES"]) + 1
    assert (result.outcome, result.attempts) == (CheckOutcome.ERROR, tries)
    assert "server error (500)" in (result.reason or "")
    assert len(stub.requests()) == tries

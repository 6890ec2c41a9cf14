"""Sample objects for the tenancy suite (tests/test_tenancy.py).

The suite walks every URL pattern. Each URL keyword argument is filled from SAMPLES by name:
`practice_slug` with a practice's slug, `<model_name>_id` with the id of an object of that
model belonging to the practice. A new route whose keyword is not listed here makes the suite
fail with the name to add: register a maker with @sample("kwarg_name").

A maker receives the practice (and the practice's admin user) and returns the value to put in
the URL, creating whatever object it needs.
"""

from __future__ import annotations

from collections.abc import Callable

SAMPLES: dict[str, Callable] = {}


def sample(kwarg: str):
    def register(maker: Callable) -> Callable:
        SAMPLES[kwarg] = maker
        return maker

    return register


@sample("practice_slug")
def _practice_slug(practice, user):
    return practice.slug


@sample("membership_id")
def _membership(practice, user):
    from tests.factories import MembershipFactory

    return MembershipFactory(practice=practice).pk


@sample("invitation_id")
def _invitation(practice, user):
    from tests.factories import InvitationFactory

    return InvitationFactory(practice=practice).pk


@sample("practiceapikey_id")
def _api_key(practice, user):
    from practices import services

    api_key, _ = services.api_key_create(practice=practice, name="sample", created_by=user)
    return api_key.prefix  # keys are named by their prefix, never by the hash in their pk


@sample("benchmarkrelease_id")
def _benchmark_release(practice, user):
    """A DRAFT release: members must get 404 for it on every member route (tests in
    tests/benchmarks prove they get published ones)."""
    from benchmarks.models import BenchmarkRelease

    draft = BenchmarkRelease.objects.filter(year=2001).exclude(status="published").first()
    if draft is None:
        draft = BenchmarkRelease.objects.create(
            year=2001, version=1, status=BenchmarkRelease.Status.DRAFT
        )
    return draft.pk


@sample("referencefigure_id")
def _reference_figure(practice, user):
    from benchmarks.models import ReferenceFigure

    figure, _ = ReferenceFigure.objects.get_or_create(
        metric="wrvu_per_fte",
        statistic="p50",
        source="Tenancy sample survey",
        survey_year=2024,
        defaults={"value": 10000},
    )
    return figure.pk


@sample("submission_id")
def _submission(practice, user):
    """A validated provider_year submission of the practice (processed as the task would)."""
    from tests.submissions.factories import (
        PROVIDER_YEAR_HEADER,
        csv_bytes,
        provider_year_rows,
        upload,
    )

    content = csv_bytes(PROVIDER_YEAR_HEADER, provider_year_rows(3, prefix=practice.slug))
    return upload(practice, "provider_year", content, user=user).pk


@sample("kind")
def _kind(practice, user):
    return "rvu_detail"


@sample("file_format")
def _file_format(practice, user):
    return "xlsx"


@sample("year")
def _period_year(practice, user):
    from tests.submissions.factories import period

    return period().year


@sample("reportingperiod_id")
def _reporting_period(practice, user):
    from tests.submissions.factories import period

    return period().pk


def _safety_event(practice):
    from datetime import date

    from quality.pso import services

    return services.safety_event_report(
        practice=practice,
        reporter=None,
        anonymous=True,
        data={
            "event_class": "near_miss",
            "event_type": "wrong_patient",
            "harm": "none",
            "discovered_on": date(2025, 5, 1),
            "modality": "CT",
            "preventability": "preventable",
            "narrative": "Order placed on the wrong record; caught at the scanner.",
        },
    )


@sample("safetyevent_id")
def _safetyevent_id(practice, user):
    return _safety_event(practice).pk


@sample("event_id")
def _event_id(practice, user):
    """For PSO staff routes (no practice in the URL)."""
    return _safety_event(practice).pk


@sample("correctiveaction_id")
def _corrective_action(practice, user):
    from datetime import date

    from quality.pso.models import CorrectiveAction

    event = _safety_event(practice)
    return CorrectiveAction.objects.create(
        practice=practice,
        event=event,
        description="Two identifiers checked at the scanner.",
        strength="stronger",
        owner=user,
        due_on=date(2030, 1, 1),
    ).pk


@sample("lesson_id")
def _lesson(practice, user):
    from quality.pso.models import Lesson

    lesson = Lesson.objects.filter(title="Tenancy sample lesson").first()
    if lesson is None:
        lesson = Lesson.objects.create(
            title="Tenancy sample lesson",
            summary="Check two identifiers.",
            event_type_id="wrong_patient",
            year=2025,
        )
    return lesson.pk


def _purchasing_contract(practice):
    """A contract with one tier, made once per practice (contracts are coalition-wide)."""
    from tests.purchasing.factories import contract_with_tiers

    return contract_with_tiers(
        number=f"T-{practice.slug}", vendor=f"Tenancy vendor {practice.slug}"
    )


@sample("contract_id")
def _contract(practice, user):
    return _purchasing_contract(practice).pk


@sample("vendor_id")
def _vendor(practice, user):
    return _purchasing_contract(practice).vendor_id


@sample("tier_id")
def _tier(practice, user):
    return _purchasing_contract(practice).tiers.order_by("rank").first().pk


@sample("enrollment_id")
def _enrollment(practice, user):
    from tests.purchasing.factories import enroll

    return enroll(practice, _purchasing_contract(practice)).pk


@sample("purchaserecord_id")
def _purchase_record(practice, user):
    from tests.purchasing.factories import purchase

    contract = _purchasing_contract(practice)
    return purchase(practice, contract, on=contract.starts_on).pk


@sample("economics_year")
def _economics_year(practice, user):
    """A year with the practice's approved, current practice_financials (the SPEC 5 example).
    Each practice gets its own year, so another practice's year in a forged URL is one its
    user has no model for (404), like another practice's object id."""
    from benchmarks.economics import selectors
    from tests.benchmarks import factories

    year = 2020 + practice.pk % 5
    if year not in selectors.financial_years(practice=practice):
        submission = factories.submission(practice, kind="practice_financials", year=year)
        factories.financials_row(
            practice,
            submission,
            year=year,
            total_revenue="25174696",
            provider_expense="23493305",
            operating_expense="8000000",
            radiologist_fte="32.33",
        )
    return year


@sample("economicsscenario_id")
def _economics_scenario(practice, user):
    from benchmarks.economics import services

    year = _economics_year(practice, user)
    scenario, _, _ = services.scenario_save(
        practice=practice, year=year, name="Tenancy sample", user=user, fte_change="1"
    )
    return scenario.pk


@sample("supportask_id")
def _support_ask(practice, user):
    from benchmarks.economics import services

    year = _economics_year(practice, user)
    return services.ask_create(
        practice=practice, year=year, category="app_support", amount="150000", user=user
    ).pk

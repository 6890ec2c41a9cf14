"""A bounded schemathesis run against the API, in process (WSGI) on the test database, as each
kind of caller: a practice API key, a member's session and an analyst's session (with
two-factor set up, as staff must). It fails on any 5xx and on any answer the OpenAPI schema
does not describe (status code, content type or body).

Each generated request runs inside a savepoint that is rolled back, so a DELETE or PATCH never
changes what the next request sees. Path parameters are either generated or taken from real
objects of the caller's practice (so that the 200 answers are checked too, not only 404s)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from benchmarks import selectors as benchmark_selectors
from practices import services as practice_services
from practices.models import Invitation
from tests.benchmarks import factories as benchmark_factories
from tests.benchmarks.conftest import publish_year
from tests.factories import InvitationFactory
from tests.submissions import factories as submission_factories

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Small on purpose: about 30 operations x 3 callers x this many requests stays well under a
# couple of minutes; the run is derandomized, so it is the same run every time.
EXAMPLES_PER_OPERATION = 8


@dataclass
class Caller:
    headers: dict
    cookies: dict


@pytest.fixture
def wsgi_app():
    # As Django's test client does: a request must not close the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(practice_a, practice_b, admin_a, settings, tmp_path):
    """Published benchmarks, a rejected and a validated submission, an invitation and an API key
    of practice A; practice B exists so that its objects answer 404."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    (settings.CELERY_DIR / "results").mkdir(parents=True, exist_ok=True)
    benchmark_selectors.published_stamp_reset()  # the cells API's in-process page cache
    members = [practice_a, practice_b, *benchmark_factories.practices(4)]
    benchmark_factories.coalition_year(
        members, year=2023, providers_per_practice=[6, 5, 6, 5, 6, 5], seed=3
    )
    release = publish_year(2023)
    submission_factories.period()
    header = submission_factories.header_of("provider_year")
    rejected = submission_factories.upload(
        practice_a,
        "provider_year",
        submission_factories.csv_bytes(["provider_id", "bogus"], [["RAD-1", "x"]]),
        user=admin_a,
    )
    validated = submission_factories.upload(
        practice_a,
        "provider_year",
        submission_factories.csv_bytes(
            submission_factories.PROVIDER_YEAR_HEADER, submission_factories.provider_year_rows(6)
        ),
        user=admin_a,
    )
    assert header and rejected.status == "rejected" and validated.status == "validated"
    invitation = InvitationFactory(practice=practice_a, invited_by=admin_a)
    api_key, raw_key = practice_services.api_key_create(
        practice=practice_a, name="PACS export", created_by=admin_a
    )
    membership = practice_a.memberships.get(user=admin_a)
    yield {
        "raw_key": raw_key,
        "path_parameters": {
            "practice_slug": practice_a.slug,
            "submission_id": validated.pk,
            "membership_id": membership.pk,
            "invitation_id": invitation.pk,
            "practiceapikey_id": api_key.pk,
            "benchmarkrelease_id": release.pk,
            "year": 2025,
            "kind": "provider_year",
            "file_format": "csv",
        },
        "rejected_id": rejected.pk,
        "invitations": Invitation.objects.for_practice(practice_a).count(),
    }
    benchmark_selectors.published_stamp_reset()


def _session_caller(user) -> Caller:
    client = Client()
    client.force_login(user)
    csrf = secrets.token_hex(16)  # 32 characters: Django accepts the secret itself as token
    return Caller(
        headers={"X-CSRFToken": csrf},
        cookies={"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf},
    )


@pytest.fixture(params=["api_key", "member", "analyst"])
def caller(request, world, admin_a, analyst) -> Caller:
    if request.param == "api_key":
        return Caller(headers={"Authorization": f"Api-Key {world['raw_key']}"}, cookies={})
    return _session_caller(admin_a if request.param == "member" else analyst)


def _run_operation(operation, app, caller: Caller, path_parameters: dict) -> list[str]:
    names = {p.name for p in operation.path_parameters}
    known = {k: v for k, v in path_parameters.items() if k in names}
    # Valid requests, and requests the schema does not allow (which must be refused with a
    # documented 4xx, never a 5xx), each also against the caller's real objects.
    strategies = [
        operation.as_strategy(generation_mode=mode, **extra)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        for extra in ([{}, {"path_parameters": known}] if known else [{}])
    ]
    failures: list[str] = []

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies))
    def run(case):
        with transaction.atomic():
            response = case.call(app=app, headers=caller.headers, cookies=caller.cookies)
            transaction.set_rollback(True)
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as failure:
            failures.append(f"{operation.label}:\n{failure}")

    run()
    return failures


@pytest.mark.schemathesis
@pytest.mark.django_db
def test_every_operation_answers_as_its_schema_says(wsgi_app, caller, world):
    cache.clear()  # throttle counters: each caller starts afresh
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    failures = []
    for operation in operations:
        failures += _run_operation(operation, wsgi_app, caller, world["path_parameters"])
    assert Invitation.objects.across_practices().count() == world["invitations"]
    assert not failures, "\n\n".join(failures[:20]) + f"\n\n{len(failures)} failures in all"

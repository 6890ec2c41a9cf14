"""The upload-kind registry: one declaration per kind, and everything derived from it."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.template.loader import get_template

from practices.submissions import kinds
from practices.submissions.api.serializers import SubmissionUploadSerializer
from practices.submissions.forms import UploadForm
from practices.submissions.models import KIND_CONSTRAINT, Submission
from practices.submissions.schemas import PROVIDER_YEAR
from tests.submissions.factories import YEAR, csv_bytes, header_of, period, upload

OWN_KINDS = ["provider_year", "rvu_detail", "practice_financials"]


def test_this_apps_kinds_are_registered_in_order():
    assert kinds.codes()[:3] == OWN_KINDS
    assert kinds.get("provider_year").schema is PROVIDER_YEAR


def test_every_kind_is_complete():
    for kind in kinds.all_kinds():
        assert kind.model()._meta.get_field("submission")
        assert kind.model()._meta.get_field("practice")
        get_template(kind.records_template)
        # Every function a kind names by its path resolves to a function.
        assert callable(kind.store_function())
        assert all(callable(check) for check in kind.warning_functions())
        assert kind.validate is None or callable(kind.validate_function())


def test_unknown_kind_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown kind of file"):
        kinds.get("nonsense")
    assert kinds.find("nonsense") is None


def test_registering_another_declaration_under_a_taken_code_fails():
    existing = kinds.get("provider_year")
    clone = kinds.UploadKind(
        schema=existing.schema,
        record_model=existing.record_model,
        store=existing.store,
        records_template=existing.records_template,
    )
    with pytest.raises(ValueError, match="registered twice"):
        kinds.register(clone)
    assert kinds.get("provider_year") is existing


@pytest.mark.django_db
def test_choices_of_the_form_the_api_and_the_command_come_from_the_registry():
    form_codes = [code for code, _ in UploadForm().fields["kind"].choices]
    assert form_codes == kinds.codes()
    assert list(SubmissionUploadSerializer().fields["kind"].choices) == kinds.codes()
    from practices.submissions.management.commands.import_data import Command

    parser = Command().create_parser("manage.py", "import_data")
    kind_action = next(a for a in parser._actions if a.dest == "kind")
    assert list(kind_action.choices) == kinds.codes()


def test_database_check_lists_exactly_the_registered_kinds():
    constraint = next(c for c in Submission._meta.constraints if c.name == KIND_CONSTRAINT)
    ((lookup, values),) = constraint.condition.children
    assert lookup == "kind__in"
    assert sorted(values) == sorted(kinds.codes())


@pytest.mark.django_db
def test_database_refuses_an_unregistered_kind(practice_a, submitter_a):
    content = csv_bytes(header_of("practice_financials"), [[YEAR, 100, 60, 30, 2, ""]])
    submission = upload(practice_a, "practice_financials", content)
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.for_practice(practice_a).filter(pk=submission.pk).update(kind="bogus")


@pytest.mark.django_db
def test_reviewers_see_only_the_kinds_they_review(analyst, make_staff):
    assert kinds.reviewable_by(analyst) == [
        k.code for k in kinds.all_kinds() if k.reviewer_permission == kinds.ANALYST_REVIEW
    ]
    assert set(OWN_KINDS) <= set(kinds.reviewable_by(analyst))
    assert kinds.reviewable_by(make_staff("pso_staff")) == ["safety_event"]
    assert kinds.reviewable_by(make_staff("purchasing")) == ["purchase_record"]
    nobody = make_staff(None)
    assert kinds.reviewable_by(nobody) == []


@pytest.mark.django_db
def test_the_review_queue_is_refused_to_staff_who_review_no_kind(client_as, make_staff):
    period(YEAR)
    response = client_as(make_staff(None)).get("/staff/submissions/review/")
    assert response.status_code in (403, 404)

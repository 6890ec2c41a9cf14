"""Releases: draft, suppression report, comparison, publication rules, immutability and
identical recomputation from the recorded inputs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F, ProtectedError

from benchmarks import selectors, services
from benchmarks.models import (
    BenchmarkCell,
    BenchmarkRelease,
    ObservationSet,
    ReleaseInput,
)
from practices.submissions.models import Submission
from tests.benchmarks import factories
from tests.benchmarks.conftest import TODAY, publish_year

Status = BenchmarkRelease.Status


def test_publishing_a_year_too_recent_is_refused(draft, analyst):
    with pytest.raises(ValidationError, match="publishable from April 1, 2026"):
        services.release_publish(release=draft, user=analyst, today=TODAY)
    published = services.release_publish(release=draft, user=analyst, today=date(2026, 4, 1))
    assert published.status == Status.PUBLISHED


def test_the_day_before_the_lag_ends_is_still_too_early(draft, analyst):
    with pytest.raises(ValidationError):
        services.release_publish(release=draft, user=analyst, today=date(2026, 3, 31))


def test_release_records_rule_settings_and_input_versions(coalition, analyst):
    release = coalition.releases[2024]
    assert release.rule_settings == {
        "min_practices": 5,
        "max_practice_share": "0.25",
        "min_observations_central": 5,
        "min_observations_tails": 10,
        "publication_lag_months": 3,
        "min_clinical_fte": "0.5",
        "tat_target_ed_minutes": 30,
        "tat_target_inpatient_minutes": 240,
        "tat_target_outpatient_minutes": 480,
    }
    inputs = selectors.release_inputs(release=release)
    expected = {(s.pk, s.version, s.sha256) for s in coalition.data[2024].submissions}
    assert {(i.submission_id, i.version, i.sha256) for i in inputs} == expected


def test_changed_rules_apply_to_new_drafts_only(coalition, analyst):
    services.rule_settings_update(
        user=analyst,
        min_practices=8,
        max_practice_share=Decimal("0.20"),
        min_observations_central=6,
        min_observations_tails=12,
        publication_lag_months=4,
        min_clinical_fte=Decimal("0.6"),
    )
    old = BenchmarkRelease.objects.get(pk=coalition.releases[2024].pk)
    assert old.rule_settings["min_practices"] == 5
    release = services.release_compute(
        release_id=services.release_request(year=2024, enqueue=False).pk
    )
    assert release.version == 2
    assert release.rule_settings["min_practices"] == 8
    for cell in BenchmarkCell.objects.filter(release=release, suppressed=False):
        assert cell.n_practices >= 8
        assert cell.max_practice_observations <= Decimal("0.20") * cell.n_observations


def test_rule_settings_cannot_go_below_the_floor(analyst):
    with pytest.raises(ValidationError):
        services.rule_settings_update(
            user=analyst,
            min_practices=4,
            max_practice_share=Decimal("0.25"),
            min_observations_central=5,
            min_observations_tails=10,
            publication_lag_months=3,
            min_clinical_fte=Decimal("0.5"),
        )


def test_publish_refuses_a_draft_whose_inputs_or_rules_changed(draft, analyst, coalition):
    # A newer approved version of one practice's file arrives after the draft was computed.
    practice = coalition.members[3]
    old = Submission.objects.for_practice(practice).get(
        kind="provider_year", period__year=2025, is_current=True
    )
    Submission.objects.for_practice(practice).filter(pk=old.pk).update(
        is_current=False, status="superseded"
    )
    factories.submission(practice, kind="provider_year", year=2025, version=2)
    with pytest.raises(ValidationError, match="submissions for the year changed"):
        services.release_publish(release=draft, user=analyst, today=date(2026, 5, 1))
    draft = services.release_compute(release_id=draft.pk)
    services.rule_settings_update(
        user=analyst,
        min_practices=6,
        max_practice_share=Decimal("0.25"),
        min_observations_central=5,
        min_observations_tails=10,
        publication_lag_months=3,
        min_clinical_fte=Decimal("0.5"),
    )
    with pytest.raises(ValidationError, match="rule settings changed"):
        services.release_publish(release=draft, user=analyst, today=date(2026, 5, 1))


def test_published_release_is_immutable_in_services(coalition, analyst):
    release = coalition.releases[2024]
    with pytest.raises(ValidationError):
        services.release_publish(release=release, user=analyst, today=TODAY)
    with pytest.raises(ValidationError):
        services.release_discard(release=release)
    before = list(BenchmarkCell.objects.filter(release=release).values())
    # Computing the task again for a published release leaves it alone.
    assert services.release_compute(release_id=release.pk).status == Status.PUBLISHED
    assert list(BenchmarkCell.objects.filter(release=release).values()) == before


@pytest.mark.parametrize(
    "change",
    [
        lambda r: BenchmarkCell.objects.filter(release=r, suppressed=False).update(mean=1),
        lambda r: BenchmarkCell.objects.filter(release=r).delete(),
        lambda r: BenchmarkCell.objects.create(
            release=r,
            metric="wrvu_per_fte",
            dimension="region",
            value="nowhere",
            n_practices=9,
            n_observations=90,
            max_practice_observations=10,
        ),
        lambda r: BenchmarkRelease.objects.filter(pk=r.pk).update(status="draft"),
        lambda r: BenchmarkRelease.objects.filter(pk=r.pk).update(rule_settings={}),
        lambda r: BenchmarkRelease.objects.filter(pk=r.pk).delete(),
        lambda r: ReleaseInput.objects.across_practices().filter(release=r).delete(),
        lambda r: (
            ObservationSet.objects.across_practices()
            .filter(release=r)
            .update(metric_values=F("metric_values"))
        ),
        lambda r: ObservationSet.objects.across_practices().filter(release=r).delete(),
        lambda r: factories.practice_observations(
            r,
            ReleaseInput.objects.across_practices().filter(release=r)[0].practice,
            {"revenue_per_fte": "1.0000"},
            source="extra_source",
        ),
    ],
    ids=[
        "update cell",
        "delete cells",
        "insert cell",
        "unpublish",
        "rewrite rules",
        "delete release",
        "delete inputs",
        "update observations",
        "delete observations",
        "insert observations",
    ],
)
def test_database_refuses_any_change_to_a_published_release(coalition, change):
    release = coalition.releases[2023]
    with pytest.raises(DatabaseError, match="published"), transaction.atomic():
        change(release)


def test_deleting_a_user_who_published_still_works(coalition, analyst):
    release = services.release_compute(
        release_id=services.release_request(year=2024, enqueue=False).pk
    )
    services.release_publish(release=release, user=analyst, today=TODAY)
    analyst.delete()
    release.refresh_from_db()
    assert release.published_by is None and release.status == Status.PUBLISHED


def test_submissions_a_release_used_cannot_be_deleted(coalition):
    submission = coalition.data[2023].submissions[0]
    with pytest.raises(ProtectedError), transaction.atomic():
        Submission.objects.for_practice(submission.practice).filter(pk=submission.pk).delete()


def test_published_release_recomputes_identically_after_data_moves_on(coalition):
    release = coalition.releases[2023]
    practice = coalition.members[4]
    # A new version supersedes a file the release used, and a practice changes its profile.
    Submission.objects.for_practice(practice).filter(
        kind="provider_year", period__year=2023
    ).update(is_current=False, status="superseded")
    newer = factories.submission(practice, kind="provider_year", year=2023, version=2)
    factories.provider_rows(
        practice,
        newer,
        [
            {
                "local_id": "X",
                "subspecialty": "neuro",
                "clinical_fte": 1,
                "work_rvus": 1,
                "total_compensation": 1,
            }
        ],
        year=2023,
    )
    practice.radiologist_fte = Decimal("400")
    practice.state = "WA"
    practice.save()
    check = selectors.release_recompute_check(release=release)
    assert check.identical, check.cell_differences[:5]
    # ...while a new draft of the year sees the new data.
    draft = services.release_compute(
        release_id=services.release_request(year=2023, enqueue=False).pk
    )
    changes = selectors.release_compare(release=draft, against=release)
    assert any(c.change != "unchanged" for c in changes)


def test_recompute_check_notices_a_tampered_draft(draft):
    BenchmarkCell.objects.filter(release=draft, suppressed=False).filter(
        metric="wrvu_per_fte", dimension="all"
    ).update(mean=Decimal("1.0000"))
    check = selectors.release_recompute_check(release=draft)
    assert not check.identical
    assert any("wrvu_per_fte/all/all mean" in d for d in check.cell_differences)


def test_suppression_report_says_why_and_what_is_needed(coalition):
    release = coalition.releases[2024]
    entries = selectors.suppression_report(release=release)
    assert entries, "a 12-practice coalition has suppressed cells"
    for entry in entries:
        assert entry.cell.suppression_reasons
        assert len(entry.needed) == len(entry.cell.suppression_reasons)
    practices_short = [e for e in entries if "min_practices" in e.cell.suppression_reasons]
    for entry in practices_short:
        more = 5 - entry.cell.n_practices
        assert any(f"{more} more practice" in n for n in entry.needed)


def test_compare_with_previous_release_cell_by_cell(coalition):
    release = services.release_compute(
        release_id=services.release_request(year=2024, enqueue=False).pk
    )
    previous = selectors.previous_release(release=release)
    assert previous == coalition.releases[2024]
    changes = selectors.release_compare(release=release, against=previous)
    assert {c.change for c in changes} == {"unchanged"}
    against_2023 = selectors.release_compare(release=release, against=coalition.releases[2023])
    changed = [c for c in against_2023 if c.change == "changed"]
    assert changed
    for change in changed:
        if change.deltas.get("p50") is not None:
            assert change.deltas["p50"] == change.new.p50 - change.old.p50


def test_discarding_a_draft_removes_it_and_its_rows(draft):
    services.release_discard(release=draft)
    assert not BenchmarkRelease.objects.filter(pk=draft.pk).exists()
    assert not BenchmarkCell.objects.filter(release_id=draft.pk).exists()


def test_current_release_of_a_year_is_the_highest_published_version(coalition):
    second = publish_year(2024)
    assert selectors.current_published_releases()[2024] == second
    assert second.version == 2


def test_empty_year_gives_an_empty_draft_that_cannot_be_published(db, analyst):
    release = services.release_compute(
        release_id=services.release_request(year=2020, enqueue=False).pk
    )
    assert release.status == Status.DRAFT
    with pytest.raises(ValidationError, match="no cells"):
        services.release_publish(release=release, user=analyst, today=TODAY)

"""Differencing between published versions of a year (issue 7, item 2), through the database.

The attack: members read every published version of a year. One practice re-submits its file
with one extra provider and the year is republished; in every cell that grew by exactly one
observation, count x mean of the new version minus that of the old one is the new provider's
exact figure. After the fix no published pair of versions gives it away, and what members can
read passes the independent attacker of tests/benchmarks/attack.py."""

from __future__ import annotations

from decimal import Decimal

import pytest

from benchmarks import selectors
from benchmarks.models import BenchmarkCell
from benchmarks.rules import Reason
from practices.submissions.models import Submission
from tests.benchmarks import attack, expected, factories
from tests.benchmarks.conftest import publish_year

YEAR = 2024
EXTRA = {
    "local_id": "EXTRA-1",
    "subspecialty": "neuro",
    "partner_status": "partner",
    "clinical_fte": Decimal("1.0"),
    "work_rvus": Decimal("12345.67"),
    "total_compensation": Decimal("543210.98"),
}


def resubmit(practice, data: factories.YearData, *, extra: list[dict], drop: int = 0):
    """A new approved version of the practice's provider file: its old rows (less the first
    `drop`) plus `extra`. Returns the rows of the new version."""
    old = Submission.objects.for_practice(practice).get(
        kind="provider_year", period__year=YEAR, is_current=True
    )
    Submission.objects.for_practice(practice).filter(pk=old.pk).update(
        is_current=False, status="superseded"
    )
    new = factories.submission(practice, kind="provider_year", year=YEAR, version=old.version + 1)
    kept = [r for r in data.providers if r.practice_id == practice.pk][drop:]
    rows = [
        {
            "local_id": r.local_id,
            "subspecialty": r.subspecialty,
            "partner_status": r.partner_status,
            "clinical_fte": r.clinical_fte,
            "work_rvus": r.work_rvus,
            "total_compensation": r.total_compensation,
        }
        for r in kept
    ]
    return factories.provider_rows(practice, new, rows + extra, year=YEAR)


def public_rows(release) -> list[dict]:
    cells = BenchmarkCell.objects.filter(release=release)
    return [selectors.public_cell_row(c, year=release.year) for c in cells]


def recovered_by_count_times_mean(old: list[dict], new: list[dict], metric: str) -> list[Decimal]:
    """The issue's attack: every cell published in both versions whose count grew by one
    gives n2 x mean2 - n1 x mean1, the added observation's value (to rounding)."""
    before = {(r["dimension"], r["value"]): r for r in old if r["metric"] == metric}
    found = []
    for row in new:
        was = before.get((row["dimension"], row["value"]))
        if row["metric"] != metric or was is None:
            continue
        if row["mean"] is None or was["mean"] is None:
            continue
        if row["n_observations"] - was["n_observations"] == 1:
            found.append(row["n_observations"] * row["mean"] - was["n_observations"] * was["mean"])
    return found


@pytest.fixture
def republished(coalition):
    practice = coalition.members[2]
    first = coalition.releases[YEAR]
    new_rows = resubmit(practice, coalition.data[YEAR], extra=[EXTRA])
    second = publish_year(YEAR)
    assert second.version == first.version + 1
    return coalition, practice, first, second, new_rows


def truths(republished) -> list[dict]:
    """The true observations of both versions, keyed as the attacker module wants them."""
    coalition, practice, _first, _second, new_rows = republished
    dims = {p.pk: {"region": p.region, "practice_size": p.size_band} for p in coalition.members}
    old_data = coalition.data[YEAR]
    new_data = factories.YearData(
        year=YEAR,
        providers=[r for r in old_data.providers if r.practice_id != practice.pk] + new_rows,
        financials=old_data.financials,
    )
    return [
        attack.observations_of(expected.keyed_observations(data, dims))
        for data in (old_data, new_data)
    ]


def test_one_extra_provider_cannot_be_recovered_from_two_versions(republished):
    first, second = republished[2], republished[3]
    old, new = public_rows(first), public_rows(second)
    for metric, exact in (
        ("wrvu_per_fte", EXTRA["work_rvus"]),
        ("comp_per_fte", EXTRA["total_compensation"]),
        ("comp_per_wrvu", EXTRA["total_compensation"] / EXTRA["work_rvus"]),
    ):
        recovered = recovered_by_count_times_mean(old, new, metric)
        assert not [v for v in recovered if abs(v - exact) < Decimal("0.01") * max(1, exact)], (
            metric
        )
    # The cells that would have given it away say why they are withheld.
    differencing = BenchmarkCell.objects.filter(
        release=second, suppression_reasons__contains=[Reason.DIFFERENCING]
    )
    total = differencing.get(metric="wrvu_per_fte", dimension="all")
    assert total.suppressed and total.mean is None
    assert any("since v1" in note and "1 practice" in note for note in total.suppression_notes)


def test_what_members_read_of_both_versions_passes_the_attacker(republished):
    first, second = republished[2], republished[3]
    versions = [
        attack.Version(public=public_rows(release), observations=truth)
        for release, truth in zip((first, second), truths(republished), strict=True)
    ]
    assert attack.leaks(versions, second.rules) == []


def test_without_differencing_the_attacks_succeed(republished):
    """The checks above can fail: the new version decided without its earlier version gives
    the added provider away, to the attack of the issue and to the attacker module."""
    from benchmarks import engine

    first, second = republished[2], republished[3]
    inputs = selectors.release_inputs(release=second)
    cells = engine.compute_cells(year=YEAR, inputs=inputs, rules=second.rules)
    naive = [
        {
            "metric": c.counts.metric,
            "dimension": c.counts.dimension,
            "value": c.counts.value,
            "n_observations": None if c.decision.suppressed else c.counts.n_observations,
            "mean": c.statistics["mean"],
        }
        for c in cells
    ]
    recovered = recovered_by_count_times_mean(public_rows(first), naive, "wrvu_per_fte")
    assert [v for v in recovered if abs(v - EXTRA["work_rvus"]) < Decimal("0.01")]
    old_truth, new_truth = truths(republished)
    versions = [
        attack.Version(public=public_rows(first), observations=old_truth),
        attack.Version(public=naive, observations=new_truth),
    ]
    leaks = attack.leaks(versions, second.rules)
    assert any("wrvu_per_fte all=all between versions 1 and 2: 1 differing" in x for x in leaks)


def test_a_changed_value_and_a_removed_provider_are_differences_too(coalition):
    practice = coalition.members[5]
    first = coalition.releases[YEAR]
    data = coalition.data[YEAR]
    own = [r for r in data.providers if r.practice_id == practice.pk]
    changed = dict(
        local_id=own[1].local_id,
        subspecialty=own[1].subspecialty,
        partner_status=own[1].partner_status,
        clinical_fte=own[1].clinical_fte,
        work_rvus=own[1].work_rvus + 1000,
        total_compensation=own[1].total_compensation,
    )
    # Drop the first two rows (one removed, one re-added with another wRVU figure).
    resubmit(practice, data, extra=[changed], drop=2)
    second = publish_year(YEAR)
    total = BenchmarkCell.objects.get(release=second, metric="wrvu_per_fte", dimension="all")
    assert total.suppressed and Reason.DIFFERENCING in total.suppression_reasons
    old_total = BenchmarkCell.objects.get(release=first, metric="wrvu_per_fte", dimension="all")
    assert not old_total.suppressed


def test_many_practices_resubmitting_publish_again(coalition):
    """The rule withholds small differences only: when enough practices each add a provider,
    the difference passes the rules and the total is published in the new version."""
    data = coalition.data[YEAR]
    for index, practice in enumerate(coalition.members[:8]):
        resubmit(practice, data, extra=[{**EXTRA, "local_id": f"EXTRA-{index}"}])
    second = publish_year(YEAR)
    total = BenchmarkCell.objects.get(release=second, metric="wrvu_per_fte", dimension="all")
    assert not total.suppressed, total.suppression_notes


def test_a_republished_year_recomputes_identically(republished):
    second = republished[3]
    check = selectors.release_recompute_check(release=second)
    assert check.identical, check.cell_differences[:5]


def test_the_suppression_report_explains_differencing(republished, client_as, analyst):
    from django.urls import reverse

    second = republished[3]
    entries = selectors.suppression_report(release=second)
    differencing = [e for e in entries if Reason.DIFFERENCING in e.cell.suppression_reasons]
    assert differencing
    for entry in differencing:
        assert len(entry.needed) == len(entry.cell.suppression_reasons)
        assert any("since v1" in n and "from 1 practice" in n for n in entry.needed)
    url = reverse("staff_benchmarks:suppression", kwargs={"benchmarkrelease_id": second.pk})
    page = client_as(analyst).get(url).content.decode()
    assert "<code>differencing</code>" in page
    assert "the change of the total since v1: 1 observation from 1 practice" in page


def test_changes_read_only_the_inputs_that_differ(republished):
    """observation_changes reads only the practices and kinds whose input row differs between
    the versions; the changes are those of reading both versions whole."""
    from dataclasses import replace

    from benchmarks import engine

    coalition, practice, first, second, _rows = republished
    new_inputs = selectors.release_inputs(release=second)
    old_inputs = selectors.release_inputs(release=first)
    moved = coalition.members[4].pk  # recorded in another region in the new version
    new_inputs = [
        replace(row, region="west" if row.region != "west" else "south")
        if row.practice_id == moved
        else row
        for row in new_inputs
    ]
    dropped = coalition.members[6].pk  # its financials not in the new version
    new_inputs = [
        row
        for row in new_inputs
        if not (row.practice_id == dropped and row.kind == "practice_financials")
    ]
    earlier = selectors.earlier_published_versions(release=second)[0]
    earlier = replace(earlier, inputs=old_inputs)

    def whole(rules):
        return engine._read_changes(
            year=YEAR, inputs=new_inputs, rules=rules, old_inputs=old_inputs, old_rules=first.rules
        )

    def narrowed(rules):
        return engine.observation_changes(
            year=YEAR, inputs=new_inputs, rules=rules, earlier=earlier
        )

    changes = narrowed(second.rules)
    assert sorted(map(repr, changes)) == sorted(map(repr, whole(second.rules)))
    assert {c.practice for c in changes} == {practice.pk, moved, dropped}
    # Under other settings every input is compared: here a higher minimum clinical FTE.
    stricter = replace(second.rules, min_clinical_fte=Decimal("0.9"))
    changes = narrowed(stricter)
    assert sorted(map(repr, changes)) == sorted(map(repr, whole(stricter)))
    assert len({c.practice for c in changes}) > 3
    # Nothing differs: nothing is read.
    assert (
        engine.observation_changes(year=YEAR, inputs=old_inputs, rules=first.rules, earlier=earlier)
        == []
    )

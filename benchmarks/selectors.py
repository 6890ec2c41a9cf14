"""Reads of the benchmarks app.

Member-facing reads go through `published_*` and `practice_position`: they only ever touch
published releases, blank every withheld figure (counts included) and never name a practice.
Staff reads (`staff_*`, the suppression report, comparisons, recompute checks) see drafts and
true counts but no provider or practice identity beyond pseudonymous ids.
"""

from __future__ import annotations

import hashlib
import math
import statistics as pystats
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404

from benchmarks import engine
from benchmarks.engine import InputRow, PublishedVersion
from benchmarks.metrics import ALL, DIMENSIONS, METRICS, Metric
from benchmarks.models import (
    BenchmarkCell,
    BenchmarkRelease,
    PracticeObservation,
    ReferenceFigure,
    ReleaseInput,
    RuleSettings,
)
from benchmarks.rules import REASON_LABELS, STATISTICS, Reason, RuleSet

PUBLISHED = BenchmarkRelease.Status.PUBLISHED
EXPORT_COLUMNS = [
    "metric",
    "year",
    "dimension",
    "value",
    "n_practices",
    "n_observations",
    "mean",
    "p10",
    "p25",
    "p50",
    "p75",
    "p90",
    "suppressed",
    "suppression_reason",
]


# --- rule settings ------------------------------------------------------------------------------
def rule_settings_default() -> RuleSet:
    return RuleSet(
        min_practices=settings.BENCHMARK_MIN_PRACTICES,
        max_practice_share=Decimal(str(settings.BENCHMARK_MAX_PRACTICE_SHARE)),
        min_observations_central=settings.BENCHMARK_MIN_OBSERVATIONS_CENTRAL,
        min_observations_tails=settings.BENCHMARK_MIN_OBSERVATIONS_TAILS,
        publication_lag_months=settings.BENCHMARK_PUBLICATION_LAG_MONTHS,
        min_clinical_fte=Decimal(str(settings.BENCHMARK_MIN_CLINICAL_FTE)),
    )


def rule_settings_current() -> RuleSettings:
    """The saved settings, or (before staff first save them) the values of the BENCHMARK_*
    settings, unsaved."""
    saved = RuleSettings.objects.filter(pk=RuleSettings.SINGLETON_ID).first()
    if saved is not None:
        return saved
    return RuleSettings(**rule_settings_default().as_dict())


# --- inputs -------------------------------------------------------------------------------------
def current_inputs(*, year: int) -> list[InputRow]:
    """The current (latest approved) submission of each practice and kind that feeds a metric."""
    from practices.submissions.models import Submission

    rows = (
        Submission.objects.across_practices()
        .filter(
            is_current=True,
            status=Submission.Status.APPROVED,
            kind__in=engine.source_kinds(),
            period__year=year,
        )
        .order_by("pk")
        .values_list(
            "pk",
            "practice_id",
            "kind",
            "version",
            "sha256",
            "practice__region",
            "practice__size_band",
        )
    )
    return [InputRow(*row) for row in rows]


def release_inputs(*, release: BenchmarkRelease) -> list[InputRow]:
    rows = (
        ReleaseInput.objects.across_practices()
        .filter(release=release)
        .order_by("submission_id")
        .values_list(
            "submission_id", "practice_id", "kind", "version", "sha256", "region", "size_band"
        )
    )
    return [InputRow(*row) for row in rows]


def inputs_digest(inputs: list[InputRow]) -> str:
    digest = hashlib.sha256()
    for row in sorted(inputs, key=lambda r: r.submission_id):
        digest.update(
            f"{row.submission_id}:{row.kind}:{row.version}:{row.sha256}:{row.region}:"
            f"{row.size_band}\n".encode()
        )
    return digest.hexdigest()


# --- who may read published benchmarks -----------------------------------------------------------
def may_see_published(*, user, api_key=None) -> bool:
    """Users of an active member practice (or its API key) and coalition staff."""
    if api_key is not None:
        return api_key.practice.is_active
    if not user.is_authenticated:
        return False
    # Members first; both facts come with the signed-in user (coalition/backends.py).
    return user.is_active_member or user.is_coalition_staff


# --- releases -----------------------------------------------------------------------------------
def published_releases() -> QuerySet[BenchmarkRelease]:
    return BenchmarkRelease.objects.filter(status=PUBLISHED).order_by("-year", "-version")


def current_published_releases() -> dict[int, BenchmarkRelease]:
    """year -> the highest published version of that year."""
    current: dict[int, BenchmarkRelease] = {}
    for release in published_releases():
        current.setdefault(release.year, release)
    return current


def published_release(*, release_id: int) -> BenchmarkRelease:
    """A published release for anyone signed in; a draft or a missing id is a 404 alike."""
    release = published_releases().filter(pk=release_id).first()
    if release is None:
        raise Http404("No published release with this id.")
    return release


def staff_releases() -> QuerySet[BenchmarkRelease]:
    return BenchmarkRelease.objects.select_related("requested_by", "published_by").order_by(
        "-year", "-version"
    )


def release_cell_summary(*, release_ids: list[int]) -> dict[int, dict[str, int]]:
    from django.db.models import Count, Q

    rows = (
        BenchmarkCell.objects.filter(release_id__in=release_ids)
        .values("release_id")
        .annotate(
            n_cells=Count("id"),
            n_suppressed=Count("id", filter=Q(suppressed=True)),
            n_partial=Count("id", filter=Q(suppressed=False) & ~Q(suppression_reasons=[])),
        )
    )
    return {
        row["release_id"]: {
            "cells": row["n_cells"],
            "suppressed": row["n_suppressed"],
            "partial": row["n_partial"],
        }
        for row in rows
    }


def earlier_published_versions(*, release: BenchmarkRelease) -> list[PublishedVersion]:
    """The published versions of the release's year numbered below it, as the differencing
    rule reads them: members can read every one of them. Versions below an unpublished
    release are all published (a year has one unpublished release at most), so the list is
    the same when the release is computed and whenever it is checked later."""
    versions = []
    for earlier in (
        published_releases()
        .filter(year=release.year, version__lt=release.version)
        .order_by("version")
    ):
        cells = list(
            BenchmarkCell.objects.filter(release=earlier).values_list(
                "metric", "dimension", "value", "suppressed"
            )
        )
        versions.append(
            PublishedVersion(
                version=earlier.version,
                inputs=release_inputs(release=earlier),
                rules=earlier.rules,
                cells=frozenset((m, d, v) for m, d, v, _ in cells),
                shown=frozenset((m, d, v) for m, d, v, hidden in cells if not hidden),
            )
        )
    return versions


def previous_release(*, release: BenchmarkRelease) -> BenchmarkRelease | None:
    """What a release is compared with by default: the latest published earlier version of the
    same year, else the current published release of the year before."""
    same_year = published_releases().filter(year=release.year, version__lt=release.version).first()
    if same_year is not None:
        return same_year
    return published_releases().filter(year=release.year - 1).first()


# --- cells --------------------------------------------------------------------------------------
def current_release_ids() -> QuerySet:
    """Subquery: the id of each year's highest published version."""
    return (
        BenchmarkRelease.objects.filter(status=PUBLISHED)
        .order_by("year", "-version")
        .distinct("year")
        .values("pk")
    )


def published_cells(
    *, release_id: int | None = None, years: list[int] | None = None
) -> QuerySet[BenchmarkCell]:
    """Cells of published releases only: of one release, else of each year's current one."""
    queryset = BenchmarkCell.objects.filter(release__status=PUBLISHED)
    if release_id is not None:
        return queryset.filter(release_id=release_id)
    queryset = queryset.filter(release_id__in=current_release_ids())
    if years is not None:
        queryset = queryset.filter(release__year__in=years)
    return queryset


# Public ordering: a suppressed cell's counts are unknown to members, so it sorts as NULL
# (last) whatever its true counts are; sorting must not hint at them.
CELL_ORDERING = {
    "metric": "c.metric",
    "dimension": "c.dimension",
    "value": "c.value",
    "year": "r.year",
    "n_observations": "CASE WHEN c.suppressed THEN NULL ELSE c.n_observations END",
    "n_practices": "CASE WHEN c.suppressed THEN NULL ELSE c.n_practices END",
    "p50": "c.p50",
}
CELL_API_COLUMNS = [
    "release",
    "year",
    "metric",
    "dimension",
    "value",
    "n_practices",
    "n_observations",
    "mean",
    "p10",
    "p25",
    "p50",
    "p75",
    "p90",
    "suppressed",
    "suppression_reasons",
]


# --- the cells API's page cache -----------------------------------------------------------------
# Published releases are immutable and never removed, so the number of published releases
# grows with every publication and identifies everything the cells API can show: a page
# computed for a given stamp never goes stale. The stamp itself is re-read at most once per
# STAMP_SECONDS per process (publishing in this process resets it at once; another process
# sees a new release within that delay).
STAMP_SECONDS = 1.0
_stamp: list = [None, 0.0]  # [value, read at (monotonic)]


def published_stamp() -> int:
    value, read_at = _stamp
    now = time.monotonic()
    if value is None or now - read_at > STAMP_SECONDS:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM benchmarks_benchmarkrelease WHERE status = 'published'"
            )
            value = cursor.fetchone()[0]
        _stamp[:] = [value, now]
    return value


def published_stamp_reset() -> None:
    _stamp[:] = [None, 0.0]
    published_cell_page.cache_clear()


@lru_cache(maxsize=4096)
def published_cell_page(
    stamp: int, query: tuple[tuple[str, object], ...], offset: int, limit: int
) -> tuple[int, tuple[dict, ...]]:
    """A page of published cells for the given stamp (see above); rows must not be mutated."""
    total, rows = published_cell_rows(**dict(query), offset=offset, limit=limit)
    return total, tuple(rows)


def published_cell_rows(
    *,
    year: int | None = None,
    release: int | None = None,
    metric: str | None = None,
    dimension: str | None = None,
    value: str | None = None,
    suppressed: bool | None = None,
    ordering: list[str] | tuple[str, ...] = (),
    offset: int = 0,
    limit: int | None = None,
) -> tuple[int, list[dict]]:
    """(total, rows) of published cells in their public form (the cells API's hot path: one
    query, the total alongside the rows). Without `release`, each year's current release.
    `ordering` holds CELL_ORDERING keys, "-" for descending."""
    where = ["r.status = 'published'"]
    params: dict = {}
    if release is not None:
        where.append("c.release_id = %(release)s")
        params["release"] = release
    else:
        where.append(
            "c.release_id IN (SELECT DISTINCT ON (year) id FROM benchmarks_benchmarkrelease "
            "WHERE status = 'published' ORDER BY year, version DESC)"
        )
    for name, column in (
        ("year", "r.year"),
        ("metric", "c.metric"),
        ("dimension", "c.dimension"),
        ("value", "c.value"),
        ("suppressed", "c.suppressed"),
    ):
        wanted = locals()[name]
        if wanted is not None:
            where.append(f"{column} = %({name})s")
            params[name] = wanted
    order = []
    for key in ordering:
        column = CELL_ORDERING[key.lstrip("-")]
        order.append(f"{column} {'DESC' if key.startswith('-') else 'ASC'} NULLS LAST")
    order += ["r.year DESC", "c.metric", "c.dimension", "c.value"]
    paging = ""
    if limit is not None:
        paging = "LIMIT %(limit)s OFFSET %(offset)s"
        params.update(limit=limit, offset=offset)
    from_where = (
        "FROM benchmarks_benchmarkcell c JOIN benchmarks_benchmarkrelease r ON r.id = c.release_id "
        f"WHERE {' AND '.join(where)}"
    )
    sql = (
        "SELECT c.release_id, r.year, c.metric, c.dimension, c.value, "
        "CASE WHEN c.suppressed THEN NULL ELSE c.n_practices END, "
        "CASE WHEN c.suppressed THEN NULL ELSE c.n_observations END, "
        "c.mean::text, c.p10::text, c.p25::text, c.p50::text, c.p75::text, c.p90::text, "
        f"c.suppressed, c.suppression_reasons, count(*) OVER () {from_where} "
        f"ORDER BY {', '.join(order)} {paging}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
        if fetched:
            total = fetched[0][-1]
        elif offset:  # a page past the end: count once, to say how many there are
            cursor.execute(f"SELECT count(*) {from_where}", params)
            total = cursor.fetchone()[0]
        else:
            total = 0
    return total, [dict(zip(CELL_API_COLUMNS, row[:-1], strict=True)) for row in fetched]


def reason_text(reasons: list[str]) -> str:
    # Reason is a StrEnum: its members hash and compare as their codes.
    return "; ".join(REASON_LABELS.get(r, r) for r in reasons)


def public_cell_row(cell: BenchmarkCell, *, year: int) -> dict:
    """A cell as members and exports see it: withheld statistics and, for suppressed cells,
    the counts too are blank; the rule codes say why."""
    row = {
        "metric": cell.metric,
        "year": year,
        "dimension": cell.dimension,
        "value": cell.value,
        "n_practices": None if cell.suppressed else cell.n_practices,
        "n_observations": None if cell.suppressed else cell.n_observations,
        "suppressed": cell.suppressed,
        "suppression_reason": ";".join(cell.suppression_reasons),
    }
    for name in STATISTICS:
        row[name] = getattr(cell, name)
    return {column: row[column] for column in EXPORT_COLUMNS}


def export_rows(*, cells) -> list[dict]:
    return [public_cell_row(cell, year=cell.release.year) for cell in cells]


# --- staff: suppression report, comparison, recompute check ------------------------------------
@dataclass
class SuppressionEntry:
    cell: BenchmarkCell
    reasons: list[str]
    needed: list[str]


def _needed(cell: BenchmarkCell, rules: RuleSet, siblings: list[BenchmarkCell]) -> list[str]:
    needed = []
    for reason in cell.suppression_reasons:
        if reason == Reason.MIN_PRACTICES:
            more = rules.min_practices - cell.n_practices
            needed.append(f"{more} more practice{'s' if more != 1 else ''} contributing")
        elif reason == Reason.DOMINANCE:
            total_needed = math.ceil(cell.max_practice_observations / rules.max_practice_share)
            share = 100 * cell.max_practice_observations / cell.n_observations
            needed.append(
                f"{total_needed - cell.n_observations} more observations from other practices "
                f"(the largest practice has {share:.0f}% of {cell.n_observations}; at most "
                f"{rules.max_practice_share * 100:.0f}% allowed)"
            )
        elif reason == Reason.MIN_OBSERVATIONS:
            more = rules.min_observations_central - cell.n_observations
            needed.append(f"{more} more observations for mean and quartiles")
        elif reason == Reason.MIN_OBSERVATIONS_TAILS:
            more = rules.min_observations_tails - cell.n_observations
            needed.append(f"{more} more observations for p10 and p90")
        elif reason == Reason.DIFFERENCING:
            changes = [n for n in cell.suppression_notes if n.startswith("the change")]
            needed.append(
                "a wider change since the earlier published version (more practices and "
                "observations changing): " + "; ".join(changes or ["see the cell's rules"])
            )
        elif reason == Reason.COMPLEMENTARY and any(
            n.startswith("the hidden group") for n in cell.suppression_notes
        ):
            groups = [n for n in cell.suppression_notes if n.startswith("the hidden group")]
            needed.append("widens a hidden group that failed on its own: " + "; ".join(groups))
        elif reason == Reason.COMPLEMENTARY:
            primary = [
                s
                for s in siblings
                if s.pk != cell.pk
                and s.suppressed
                and any(r != Reason.COMPLEMENTARY for r in s.suppression_reasons)
            ]
            if primary:
                names = ", ".join(f"{s.dimension}={s.value}" for s in primary)
                needed.append(f"protects {names}: publishable once those can be published")
            else:
                needed.append(
                    "protects a cell withheld for another metric with the same observations"
                )
    return needed


def suppression_report(*, release: BenchmarkRelease) -> list[SuppressionEntry]:
    """Every cell that withholds something, with the rules and what would let it publish."""
    rules = release.rules or rule_settings_current().as_ruleset()
    cells = list(
        BenchmarkCell.objects.filter(release=release).order_by("metric", "dimension", "value")
    )
    groups: dict[tuple[str, str], list[BenchmarkCell]] = defaultdict(list)
    for cell in cells:
        groups[(cell.metric, cell.dimension)].append(cell)
    return [
        SuppressionEntry(
            cell=cell,
            reasons=[REASON_LABELS.get(r, r) for r in cell.suppression_reasons],
            needed=_needed(cell, rules, groups[(cell.metric, cell.dimension)]),
        )
        for cell in cells
        if cell.suppression_reasons
    ]


@dataclass
class CellChange:
    metric: str
    dimension: str
    value: str
    change: str
    old: BenchmarkCell | None
    new: BenchmarkCell | None
    deltas: dict[str, Decimal | None] = field(default_factory=dict)


def release_compare(*, release: BenchmarkRelease, against: BenchmarkRelease) -> list[CellChange]:
    """Cell by cell: added, removed, newly suppressed, newly published, changed or unchanged."""

    def cells_of(r: BenchmarkRelease) -> dict[tuple[str, str, str], BenchmarkCell]:
        return {
            (c.metric, c.dimension, c.value): c for c in BenchmarkCell.objects.filter(release=r)
        }

    new_cells, old_cells = cells_of(release), cells_of(against)
    changes = []
    for key in sorted(set(new_cells) | set(old_cells)):
        new, old = new_cells.get(key), old_cells.get(key)
        deltas: dict[str, Decimal | None] = {}
        if new is None:
            change = "removed"
        elif old is None:
            change = "added"
        elif old.suppressed and not new.suppressed:
            change = "newly published"
        elif new.suppressed and not old.suppressed:
            change = "newly suppressed"
        else:
            for name in ("n_practices", "n_observations", *STATISTICS):
                a, b = getattr(old, name), getattr(new, name)
                deltas[name] = None if a is None or b is None else b - a
            same = all(
                getattr(old, n) == getattr(new, n)
                for n in ("n_practices", "n_observations", *STATISTICS)
            )
            change = (
                "unchanged"
                if same and old.suppression_reasons == new.suppression_reasons
                else "changed"
            )
        changes.append(CellChange(*key, change=change, old=old, new=new, deltas=deltas))
    return changes


@dataclass
class RecomputeCheck:
    cell_differences: list[str]
    observation_differences: int

    @property
    def identical(self) -> bool:
        return not self.cell_differences and self.observation_differences == 0


def release_recompute_check(*, release: BenchmarkRelease) -> RecomputeCheck:
    """Recompute a release from its recorded inputs and rule settings and compare with what is
    stored. Read-only."""
    rules = release.rules
    if rules is None:
        return RecomputeCheck(["The release has not been computed."], 0)
    inputs = release_inputs(release=release)
    computed = {
        c.key: c
        for c in engine.compute_cells(
            year=release.year,
            inputs=inputs,
            rules=rules,
            earlier=earlier_published_versions(release=release),
        )
    }
    stored = {
        (c.metric, c.dimension, c.value): c for c in BenchmarkCell.objects.filter(release=release)
    }
    differences = []
    for key in sorted(set(computed) | set(stored)):
        label = "/".join(key)
        if key not in stored:
            differences.append(f"{label}: computed but not stored")
            continue
        if key not in computed:
            differences.append(f"{label}: stored but not computed")
            continue
        new, old = computed[key], stored[key]
        pairs = {
            "n_practices": (new.counts.n_practices, old.n_practices),
            "n_observations": (new.counts.n_observations, old.n_observations),
            "suppressed": (new.decision.suppressed, old.suppressed),
            "suppression_reasons": (
                [str(r) for r in new.decision.reasons],
                old.suppression_reasons,
            ),
            "suppression_notes": (list(new.decision.notes), old.suppression_notes),
            **{name: (new.statistics[name], getattr(old, name)) for name in STATISTICS},
        }
        for name, (a, b) in pairs.items():
            if a != b:
                differences.append(f"{label} {name}: stored {b}, recomputed {a}")
    observation_diffs = engine.observation_differences(
        release_id=release.pk, year=release.year, inputs=inputs, rules=rules
    )
    return RecomputeCheck(differences, observation_diffs)


# --- reference figures --------------------------------------------------------------------------
def reference_figures(*, metric: str | None = None) -> QuerySet[ReferenceFigure]:
    queryset = ReferenceFigure.objects.order_by("metric", "statistic", "source")
    return queryset.filter(metric=metric) if metric else queryset


RANGE_STATISTICS = (ReferenceFigure.Statistic.RANGE_LOW, ReferenceFigure.Statistic.RANGE_HIGH)


@dataclass(frozen=True)
class TypicalRange:
    """A metric's published typical range: its two ends are reference figures (range_low and
    range_high of one source) that staff enter and edit like every other external figure, so
    charts, the economics model and its brief all read the same two numbers."""

    low: ReferenceFigure | None
    high: ReferenceFigure | None

    @property
    def complete(self) -> bool:
        return self.low is not None and self.high is not None

    @classmethod
    def of(cls, figures) -> TypicalRange:
        """The range among a metric's reference figures, already read. Two ends from
        different sources are not one range: the high end is the low end's source's."""
        ordered = sorted(figures, key=lambda f: f.source)
        low = next((f for f in ordered if f.statistic == ReferenceFigure.Statistic.RANGE_LOW), None)
        high = next(
            (
                f
                for f in ordered
                if f.statistic == ReferenceFigure.Statistic.RANGE_HIGH
                and (low is None or f.source == low.source)
            ),
            None,
        )
        return cls(low=low, high=high)

    def band(self, metric: Metric) -> tuple[Decimal, Decimal, str] | None:
        """(low, high, label) for a chart's shaded band, or None without both ends."""
        if not self.complete:
            return None
        unit = "$" if metric.money else ""
        label = f"typical range, {unit}{self.low.value:,.0f}–{unit}{self.high.value:,.0f}"
        return self.low.value, self.high.value, label


def typical_range(*, metric: str) -> TypicalRange:
    return TypicalRange.of(reference_figures(metric=metric).filter(statistic__in=RANGE_STATISTICS))


# --- a practice's position ----------------------------------------------------------------------
@dataclass
class ProviderPosition:
    local_id: str
    value: Decimal
    percentile_rank: float | None
    dimension_value: str


@dataclass
class GroupPosition:
    value: str
    label: str
    cell: dict | None  # public_cell_row(); None when the coalition has no such cell
    practice_median: Decimal | None
    practice_observations: int
    providers: list[ProviderPosition]
    percentile_rank: float | None = None  # practice metrics: the practice's own rank


@dataclass
class TrendPoint:
    year: int
    cell: dict | None
    practice_median: Decimal | None


@dataclass
class MetricPosition:
    metric: Metric
    dimension: str
    dimension_applies: bool
    groups: list[GroupPosition]
    references: list[ReferenceFigure]
    trend: list[TrendPoint]


def _median(values: list[Decimal]) -> Decimal | None:
    # statistics.median averages the two middle values: percentile_cont(0.5), numpy's median.
    return pystats.median(values).quantize(Decimal("0.0001")) if values else None


def _local_ids(practice, pseudonyms: set[str]) -> dict[str, str]:
    """The practice's own ids for its pseudonyms; only for the practice's own pages."""
    from practices.submissions.models import Provider

    providers = Provider.objects.for_practice(practice).filter(pseudonym__in=pseudonyms)
    return {p.pseudonym: practice.decrypt_local_id(p.local_id_encrypted) for p in providers}


def practice_position(
    *,
    practice,
    release: BenchmarkRelease,
    dimension: str = ALL,
    metrics: list[str] | None = None,
) -> list[MetricPosition]:
    """For each metric: the coalition band of each group the practice has observations in, the
    practice's own median, each provider's percentile rank (with the practice's local ids),
    reference figures and the trend over published years. `release` must be published."""
    if release.status != PUBLISHED:
        raise Http404("No published release with this id.")
    wanted = [METRICS[code] for code in (metrics or METRICS)]
    cells = {
        (c.metric, c.dimension, c.value): c
        for c in BenchmarkCell.objects.filter(
            release=release, metric__in=[m.code for m in wanted], dimension__in={ALL, dimension}
        )
    }
    observations = list(
        PracticeObservation.objects.for_practice(practice)
        .filter(release=release, metric__in=[m.code for m in wanted])
        .values_list(
            "metric", "provider_pseudonym", "value", "dimension_values", "percentile_ranks"
        )
    )
    local_ids = _local_ids(practice, {o[1] for o in observations if o[1]})
    references: dict[str, list[ReferenceFigure]] = defaultdict(list)
    for figure in reference_figures().filter(metric__in=[m.code for m in wanted]):
        references[figure.metric].append(figure)
    trend = _trend(practice=practice, metrics=wanted)

    positions = []
    for metric in wanted:
        applies = dimension in metric.dimensions
        used = dimension if applies else ALL
        by_group: dict[str, list[tuple]] = defaultdict(list)
        for obs in observations:
            if obs[0] != metric.code:
                continue
            group = ALL if used == ALL else obs[3].get(used)
            if group is not None:
                by_group[group].append(obs)
        groups = []
        for value in sorted(by_group):
            rows = by_group[value]
            cell = cells.get((metric.code, used, value))
            providers = [
                ProviderPosition(
                    local_id=local_ids.get(pseudonym, f"(no local id; {pseudonym[:8]}…)"),
                    value=obs_value,
                    percentile_rank=ranks.get(used),
                    dimension_value=dims.get("subspecialty", ""),
                )
                for _, pseudonym, obs_value, dims, ranks in rows
                if pseudonym
            ]
            providers.sort(key=lambda p: p.local_id)
            own_rank = rows[0][4].get(used) if len(rows) == 1 and not rows[0][1] else None
            groups.append(
                GroupPosition(
                    value=value,
                    label=DIMENSIONS[used].value_label(value),
                    cell=public_cell_row(cell, year=release.year) if cell else None,
                    practice_median=_median([r[2] for r in rows]),
                    practice_observations=len(rows),
                    providers=providers,
                    percentile_rank=own_rank,
                )
            )
        positions.append(
            MetricPosition(
                metric=metric,
                dimension=used,
                dimension_applies=applies,
                groups=groups,
                references=references[metric.code],
                trend=trend[metric.code],
            )
        )
    return positions


def _trend(*, practice, metrics: list[Metric]) -> dict[str, list[TrendPoint]]:
    current = current_published_releases()
    release_ids = {r.pk: year for year, r in current.items()}
    codes = [m.code for m in metrics]
    cells = {
        (c.release_id, c.metric): c
        for c in BenchmarkCell.objects.filter(
            release_id__in=release_ids, metric__in=codes, dimension=ALL
        )
    }
    values: dict[tuple[int, str], list[Decimal]] = defaultdict(list)
    for release_id, metric, value in (
        PracticeObservation.objects.for_practice(practice)
        .filter(release_id__in=release_ids, metric__in=codes)
        .values_list("release_id", "metric", "value")
    ):
        values[(release_id, metric)].append(value)
    trend: dict[str, list[TrendPoint]] = {}
    for code in codes:
        points = []
        for release_id, year in sorted(release_ids.items(), key=lambda item: item[1]):
            cell = cells.get((release_id, code))
            points.append(
                TrendPoint(
                    year=year,
                    cell=public_cell_row(cell, year=year) if cell else None,
                    practice_median=_median(values.get((release_id, code), [])),
                )
            )
        trend[code] = points
    return trend


def practice_position_rows(*, positions: list[MetricPosition], year: int) -> list[dict]:
    """Flat rows of a practice's position, for its CSV/XLSX export."""
    rows = []
    for position in positions:
        for group in position.groups:
            cell = group.cell or {}
            base = {
                "metric": position.metric.code,
                "year": year,
                "dimension": position.dimension,
                "value": group.value,
                "coalition_p10": cell.get("p10"),
                "coalition_p25": cell.get("p25"),
                "coalition_p50": cell.get("p50"),
                "coalition_p75": cell.get("p75"),
                "coalition_p90": cell.get("p90"),
                "coalition_suppression_reason": cell.get("suppression_reason", ""),
            }
            rows.append(
                {
                    **base,
                    "row": "practice median",
                    "local_id": "",
                    "figure": group.practice_median,
                    "percentile_rank": group.percentile_rank,
                }
            )
            rows.extend(
                {
                    **base,
                    "row": "provider",
                    "local_id": provider.local_id,
                    "figure": provider.value,
                    "percentile_rank": provider.percentile_rank,
                }
                for provider in group.providers
            )
    return rows

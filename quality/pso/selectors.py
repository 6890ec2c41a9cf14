"""Reads of the PSO. Members read their own practice's events (scoped) and de-identified
coalition figures; PSO staff read across practices through the named escape hatch."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from practices.models import Practice
from quality.pso import vocabularies as V
from quality.pso.models import (
    CorrectiveAction,
    EventAccess,
    EventTransition,
    EventType,
    Lesson,
    SafetyEvent,
)

# Events of an upload count only while their submission is the current approved version.
LIVE = Q(submission__isnull=True) | Q(submission__is_current=True)

EVENT_RELATED = ("event_type", "owner", "reporter")


def practice_events(*, practice: Practice) -> QuerySet[SafetyEvent]:
    return (
        SafetyEvent.objects.for_practice(practice)
        .filter(LIVE)
        .select_related(*EVENT_RELATED)
        .prefetch_related("contributing_factors")
    )


def staff_events() -> QuerySet[SafetyEvent]:
    """PSO staff only: every practice's live events."""
    return (
        SafetyEvent.objects.across_practices()
        .filter(LIVE)
        .select_related("practice", *EVENT_RELATED)
        .prefetch_related("contributing_factors")
    )


def staff_event(*, event_id: int) -> SafetyEvent | None:
    return staff_events().filter(pk=event_id).first()


def event_actions(*, event: SafetyEvent) -> QuerySet[CorrectiveAction]:
    return (
        CorrectiveAction.objects.for_practice(event.practice)
        .filter(event=event)
        .select_related("owner")
    )


def event_transitions(*, event: SafetyEvent):
    return (
        EventTransition.objects.for_practice(event.practice)
        .filter(event=event)
        .select_related("by")
        .order_by("at", "id")
    )


def with_children(events: QuerySet[SafetyEvent]) -> QuerySet[SafetyEvent]:
    """Events with their actions and transitions loaded in two queries. The children are read
    through the escape hatch on purpose: they are the children of events already scoped."""
    return events.prefetch_related(
        Prefetch(
            "actions",
            queryset=CorrectiveAction.objects.across_practices().select_related("owner"),
        ),
        Prefetch(
            "transitions",
            queryset=EventTransition.objects.across_practices()
            .select_related("by")
            .order_by("at", "id"),
        ),
    )


def event_accesses(*, event: SafetyEvent) -> QuerySet[EventAccess]:
    return (
        EventAccess.objects.for_practice(event.practice).filter(event=event).select_related("user")
    )


def practice_access_log(*, practice: Practice) -> QuerySet[EventAccess]:
    return (
        EventAccess.objects.for_practice(practice)
        .select_related("user", "event")
        .order_by("-at", "-id")
    )


def open_actions_across_practices() -> QuerySet[CorrectiveAction]:
    """PSO staff only: the action tracker."""
    return (
        CorrectiveAction.objects.across_practices()
        .filter(done_on__isnull=True)
        .select_related("event", "owner", "practice")
        .order_by("due_on", "id")
    )


def overdue_actions(*, today) -> QuerySet[CorrectiveAction]:
    return open_actions_across_practices().filter(due_on__lt=today)


def untriaged_events(*, older_than_days: int) -> QuerySet[SafetyEvent]:
    cutoff = timezone.now() - timedelta(days=older_than_days)
    return staff_events().filter(status=V.Status.REPORTED, reported_at__lt=cutoff)


def published_lessons() -> QuerySet[Lesson]:
    return (
        Lesson.objects.filter(status=Lesson.Status.PUBLISHED)
        .select_related("event_type")
        .order_by("-published_at")
    )


def staff_lessons() -> QuerySet[Lesson]:
    return Lesson.objects.select_related("event_type", "written_by", "reviewed_by").order_by(
        "-created_at"
    )


# --- de-identified trends ------------------------------------------------------------------------
@dataclass
class Count_:
    count: int | None  # None: withheld
    practices: int
    reason: str = ""

    @property
    def shown(self) -> bool:
        return self.count is not None


@dataclass
class Trends:
    years: list[int]
    # {row label code: {year: Count_}}
    by_type: dict[str, dict[int, Count_]] = field(default_factory=dict)
    by_harm: dict[str, dict[int, Count_]] = field(default_factory=dict)
    totals: dict[int, Count_] = field(default_factory=dict)
    # events per 10,000 exams, for practices whose exam volume is known
    rates: dict[int, tuple[float | None, int]] = field(default_factory=dict)
    by_strength: dict[str, int] = field(default_factory=dict)
    min_practices: int = 0
    own_by_type: dict[str, dict[int, int]] = field(default_factory=dict)
    own_totals: dict[int, int] = field(default_factory=dict)


def _min_practices() -> int:
    from benchmarks.selectors import rule_settings_current

    return rule_settings_current().min_practices


def _withhold(
    cells: dict[str, dict[int, Count_]], totals: dict[int, Count_], minimum: int, practices_of
) -> None:
    """Withhold counts from fewer than `minimum` practices; then, per year, if the withheld
    cells together come from fewer practices (so the total minus the shown counts would name
    them), withhold the next smallest shown cells until the group is safe, or the total."""
    for year in totals:
        hidden = [code for code, row in cells.items() if year in row and not row[year].shown]
        if not hidden:
            continue
        while True:
            group = set().union(*(practices_of(code, year) for code in hidden))
            if len(group) >= minimum:
                break
            shown = sorted(
                (row[year].count, code)
                for code, row in cells.items()
                if year in row and row[year].shown
            )
            if not shown:
                break
            _, code = shown[0]
            cells[code][year] = Count_(None, cells[code][year].practices, "complementary")
            hidden.append(code)
        if len(set().union(*(practices_of(code, year) for code in hidden))) < minimum:
            totals[year] = Count_(None, totals[year].practices, "complementary")


def _table(rows, key: str, minimum: int, staff: bool):
    practices: dict[tuple[str, int], set[int]] = defaultdict(set)
    counts: dict[tuple[str, int], int] = defaultdict(int)
    for row in rows:
        k = (row[key], row["discovered_on__year"])
        practices[k].add(row["practice_id"])
        counts[k] += row["n"]
    cells: dict[str, dict[int, Count_]] = defaultdict(dict)
    for (code, year), n in counts.items():
        p = len(practices[(code, year)])
        if staff or p >= minimum:
            cells[code][year] = Count_(n, p)
        else:
            cells[code][year] = Count_(None, p, f"fewer than {minimum} practices")
    return cells, practices


def coalition_trends(*, viewer_practice: Practice | None, staff: bool = False) -> Trends:
    """Counts by event type, harm and year across the coalition, de-identified: no practice,
    dates as years. For members (staff=False) a count from fewer practices than the benchmark
    rules' minimum is withheld, and so is anything that would let it be recovered by
    subtraction; the member's own practice's counts are shown beside. PSO staff see all."""
    minimum = _min_practices()
    events = SafetyEvent.objects.across_practices().filter(LIVE)
    base = events.values("practice_id", "discovered_on__year")
    type_rows = list(
        base.values("practice_id", "discovered_on__year", "event_type")
        .annotate(n=Count("id"))
        .order_by()
    )
    harm_rows = list(
        base.values("practice_id", "discovered_on__year", "harm").annotate(n=Count("id")).order_by()
    )
    years = sorted({row["discovered_on__year"] for row in type_rows})
    trends = Trends(years=years, min_practices=minimum)
    by_type, type_practices = _table(type_rows, "event_type", minimum, staff)
    by_harm, harm_practices = _table(harm_rows, "harm", minimum, staff)
    for year in years:
        year_rows = [r for r in type_rows if r["discovered_on__year"] == year]
        p = len({r["practice_id"] for r in year_rows})
        n = sum(r["n"] for r in year_rows)
        trends.totals[year] = (
            Count_(n, p) if staff or p >= minimum else Count_(None, p, f"fewer than {minimum}")
        )
    if not staff:
        totals_for_harm = dict(trends.totals)
        _withhold(by_type, trends.totals, minimum, lambda c, y: type_practices[(c, y)])
        _withhold(by_harm, totals_for_harm, minimum, lambda c, y: harm_practices[(c, y)])
        for year, count in totals_for_harm.items():
            if not count.shown:
                trends.totals[year] = count
    trends.by_type = dict(by_type)
    trends.by_harm = dict(by_harm)
    trends.rates = _rates(events, years, minimum, staff)
    strengths = (
        CorrectiveAction.objects.across_practices()
        .filter(Q(event__submission__isnull=True) | Q(event__submission__is_current=True))
        .values("strength")
        .annotate(n=Count("id"), practices=Count("practice", distinct=True))
    )
    trends.by_strength = {
        row["strength"]: row["n"] for row in strengths if staff or row["practices"] >= minimum
    }
    if viewer_practice is not None:
        own = (
            events.filter(practice=viewer_practice)
            .values("event_type", "discovered_on__year")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in own:
            trends.own_by_type.setdefault(row["event_type"], {})[row["discovered_on__year"]] = row[
                "n"
            ]
            trends.own_totals[row["discovered_on__year"]] = (
                trends.own_totals.get(row["discovered_on__year"], 0) + row["n"]
            )
    return trends


def exam_volumes(*, year: int) -> dict[int, int]:
    """{practice id: exams of the year} from the current exam_turnaround submissions (one row
    is one exam), where practices upload them."""
    from practices.submissions.models import Submission

    return dict(
        Submission.objects.across_practices()
        .filter(kind="exam_turnaround", is_current=True, period__year=year)
        .values_list("practice_id", "row_count")
    )


def _rates(events, years, minimum: int, staff: bool) -> dict[int, tuple[float | None, int]]:
    rates: dict[int, tuple[float | None, int]] = {}
    for year in years:
        volumes = {p: n for p, n in exam_volumes(year=year).items() if n}
        if not volumes:
            rates[year] = (None, 0)
            continue
        n_events = events.filter(discovered_on__year=year, practice_id__in=volumes).count()
        contributing = len(volumes)
        if not staff and contributing < minimum:
            rates[year] = (None, contributing)
        else:
            rates[year] = (10000 * n_events / sum(volumes.values()), contributing)
    return rates


def event_type_labels() -> dict[str, str]:
    return dict(EventType.objects.values_list("code", "label"))

"""Writes of the benchmarks app: rule settings, releases (request, compute, publish, discard)
and reference figures. Keyword-only, typed, atomic. Views, tasks and commands call these."""

from __future__ import annotations

import logging
import time
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from benchmarks import engine, selectors
from benchmarks.metrics import METRICS
from benchmarks.models import (
    BenchmarkCell,
    BenchmarkRelease,
    ObservationSet,
    ReferenceFigure,
    ReleaseInput,
    RuleSettings,
)
from benchmarks.rules import RuleSet, publishable_on
from coalition.queueing import Enqueued, enqueue_on_commit

logger = logging.getLogger(__name__)
Status = BenchmarkRelease.Status
RELEASE_LOCK_NAMESPACE = 4401  # pg_advisory_xact_lock(namespace, year) for release requests


# --- rule settings ------------------------------------------------------------------------------
@transaction.atomic
def rule_settings_update(
    *,
    user,
    min_practices: int,
    max_practice_share: Decimal,
    min_observations_central: int,
    min_observations_tails: int,
    publication_lag_months: int,
    min_clinical_fte: Decimal,
    tat_target_ed_minutes: int | None = None,
    tat_target_inpatient_minutes: int | None = None,
    tat_target_outpatient_minutes: int | None = None,
) -> RuleSettings:
    current = selectors.rule_settings_current()
    targets = {
        name: int(value if value is not None else getattr(current, name))
        for name, value in (
            ("tat_target_ed_minutes", tat_target_ed_minutes),
            ("tat_target_inpatient_minutes", tat_target_inpatient_minutes),
            ("tat_target_outpatient_minutes", tat_target_outpatient_minutes),
        )
    }
    candidate = RuleSet(
        min_practices=min_practices,
        max_practice_share=Decimal(max_practice_share),
        min_observations_central=min_observations_central,
        min_observations_tails=min_observations_tails,
        publication_lag_months=publication_lag_months,
        min_clinical_fte=Decimal(min_clinical_fte),
        **targets,
    )
    problems = candidate.floor_violations()
    if problems:
        raise ValidationError(problems)
    settings_row = RuleSettings.objects.select_for_update().filter(pk=1).first() or RuleSettings()
    for name, value in candidate.as_dict().items():
        setattr(settings_row, name, value)
    settings_row.updated_by = user
    settings_row.full_clean()
    settings_row.save()
    return settings_row


# --- releases -----------------------------------------------------------------------------------
def _validate_year(year: int) -> None:
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": "Give a year between 2000 and 2100."})


@transaction.atomic
def release_request(*, year: int, user=None, enqueue: bool = True) -> BenchmarkRelease:
    """Queue the computation of a draft release for `year`: the year's unpublished release is
    reused (recomputed) when there is one, else a new version is numbered. The computation runs
    in a Celery task once this transaction commits."""
    _validate_year(year)
    # Serialize requests for the same year; a row lock cannot lock a release not yet created.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [RELEASE_LOCK_NAMESPACE, year])
    release = BenchmarkRelease.objects.filter(year=year).exclude(status=Status.PUBLISHED).first()
    if release is None:
        last = BenchmarkRelease.objects.filter(year=year).aggregate(v=Max("version"))["v"] or 0
        release = BenchmarkRelease(year=year, version=last + 1)
    release.status = Status.QUEUED
    release.requested_by = user
    release.requested_at = timezone.now()
    release.error = ""
    release.save()
    release.enqueued = Enqueued()
    if enqueue:
        from benchmarks.tasks import compute_release

        # Read release.enqueued.failed once this returns: the broker may be down (the sweeper
        # sends the release again once it is back).
        release.enqueued = enqueue_on_commit(compute_release, release.pk)
    return release


def release_compute(*, release_id: int) -> BenchmarkRelease | None:
    """Compute the cells of an unpublished release from the current approved submissions and the
    current rule settings. Idempotent: a published release is left alone, a draft is replaced.
    Returns None when the release no longer exists (discarded meanwhile)."""
    with transaction.atomic():
        _recomputable()
        marked = (
            BenchmarkRelease.objects.filter(pk=release_id)
            .exclude(status=Status.PUBLISHED)
            .update(status=Status.COMPUTING)
        )
    if not marked and not BenchmarkRelease.objects.filter(pk=release_id).exists():
        return None
    try:
        return _release_compute(release_id=release_id)
    except Exception as error:
        logger.exception("Benchmark release %s failed to compute", release_id)
        failure = f"{type(error).__name__}: {error}"[:2000]

        def record():
            BenchmarkRelease.objects.filter(pk=release_id).exclude(status=Status.PUBLISHED).update(
                status=Status.FAILED, error=failure
            )

        # The error may be the connection itself (a database restart): write on a fresh one.
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
        try:
            record()
        except DatabaseError:
            if connection.in_atomic_block:
                raise
            connection.close()
            record()
        raise


def releases_requeue_stalled(*, now=None) -> list[int]:
    """The sweeper (a Celery beat task): send again the releases whose computation was asked for
    but never started (`queued` for SUBMISSION_REQUEUE_SECONDS: the broker was down or the
    message was lost) or whose run died (`computing`, and no transaction holds the release's
    row lock, which a live computation holds throughout). Returns the ids sent."""
    from benchmarks.tasks import compute_release

    now = now or timezone.now()
    waited = now - timedelta(seconds=settings.SUBMISSION_REQUEUE_SECONDS)
    sent = []
    for release_id in list(
        BenchmarkRelease.objects.filter(
            status__in=[Status.QUEUED, Status.COMPUTING], requested_at__lt=waited
        ).values_list("pk", flat=True)[:100]
    ):
        with transaction.atomic():
            release = (
                BenchmarkRelease.objects.select_for_update(skip_locked=True)
                .filter(pk=release_id, status__in=[Status.QUEUED, Status.COMPUTING])
                .first()
            )
            if release is None:
                continue  # being computed right now, or done meanwhile
            # requested_at: when the computation was last queued (the next sweep waits again).
            release.status = Status.QUEUED
            release.requested_at = now
            release.save(update_fields=["status", "requested_at"])
            queued = enqueue_on_commit(compute_release, release.pk)
        if queued.failed:
            break
        sent.append(release_id)
    if sent:
        logger.info("Re-queued %d stalled release(s): %s", len(sent), sent)
    return sent


def _recomputable() -> None:
    """The current transaction commits without waiting for its write-ahead log to reach disk.
    Only for writes that are computed again if lost: were the server to crash just after such a
    commit, the release would be back to queued or computing, and the stalled-release sweeper
    computes it again. Publishing and requests wait for the disk as every other write does."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")


@transaction.atomic
def _release_compute(*, release_id: int) -> BenchmarkRelease | None:
    _recomputable()
    release = BenchmarkRelease.objects.select_for_update().filter(pk=release_id).first()
    if release is None or release.status == Status.PUBLISHED:
        return release
    started = time.perf_counter()
    if release.computed_at is not None:  # a draft computed before (a computation is atomic)
        BenchmarkCell.objects.filter(release=release).delete()
        ObservationSet.objects.across_practices().filter(release=release).delete()
        ReleaseInput.objects.across_practices().filter(release=release).delete()

    rules = selectors.rule_settings_current().as_ruleset()
    inputs = selectors.current_inputs(year=release.year)
    engine.write_inputs(inputs, release_id=release.pk)
    computation = engine.compute(
        year=release.year,
        inputs=inputs,
        rules=rules,
        earlier=selectors.earlier_published_versions(release=release),
    )
    engine.write_cells(computation.cells, release_id=release.pk)
    engine.write_observations(computation, release_id=release.pk)
    release.rule_settings = rules.as_dict()
    release.inputs_digest = selectors.inputs_digest(inputs)
    release.status = Status.DRAFT
    release.error = ""
    release.computed_at = timezone.now()
    release.compute_seconds = round(time.perf_counter() - started, 3)
    release.save()
    return release


@transaction.atomic
def release_publish(
    *, release: BenchmarkRelease, user, today: date | None = None
) -> BenchmarkRelease:
    """Publish a draft. Refused for a year too recent, for a draft whose inputs or rule settings
    changed since it was computed (recompute it first) and for an empty draft."""
    release = BenchmarkRelease.objects.select_for_update().get(pk=release.pk)
    today = today or timezone.localdate()
    if release.status != Status.DRAFT:
        raise ValidationError(
            f"Only a computed draft can be published; this release is {release.get_status_display().lower()}."
        )
    rules = release.rules
    opens = publishable_on(release.year, rules)
    if today < opens:
        raise ValidationError(
            f"{release.year} is publishable from {opens:%B %-d, %Y} "
            f"({rules.publication_lag_months} months after the year ends)."
        )
    if not BenchmarkCell.objects.filter(release=release).exists():
        raise ValidationError("This draft has no cells: no approved data for the year.")
    current_rules = selectors.rule_settings_current().as_ruleset()
    if current_rules != rules:
        raise ValidationError(
            "The rule settings changed since this draft was computed; recompute it first."
        )
    if (
        selectors.inputs_digest(selectors.current_inputs(year=release.year))
        != release.inputs_digest
    ):
        raise ValidationError(
            "Approved submissions for the year changed since this draft was computed; "
            "recompute it first."
        )
    release.status = Status.PUBLISHED
    release.published_by = user
    release.published_at = timezone.now()
    release.save(update_fields=["status", "published_by", "published_at"])
    # Now for this process, and again once other transactions can see the release.
    selectors.published_stamp_reset()
    transaction.on_commit(selectors.published_stamp_reset)
    return release


@transaction.atomic
def release_discard(*, release: BenchmarkRelease) -> None:
    release = BenchmarkRelease.objects.select_for_update().get(pk=release.pk)
    if release.status == Status.PUBLISHED:
        raise ValidationError("A published release is permanent.")
    BenchmarkCell.objects.filter(release=release).delete()
    ObservationSet.objects.across_practices().filter(release=release).delete()
    ReleaseInput.objects.across_practices().filter(release=release).delete()
    release.delete()


# --- reference figures --------------------------------------------------------------------------
REFERENCE_FIELDS = ("metric", "statistic", "value", "source", "survey_year", "url", "note")


def _reference_save(figure: ReferenceFigure, fields: dict) -> ReferenceFigure:
    unknown = set(fields) - set(REFERENCE_FIELDS)
    if unknown:
        raise ValidationError(f"Cannot set {', '.join(sorted(unknown))}.")
    if "metric" in fields and fields["metric"] not in METRICS:
        raise ValidationError({"metric": f"Unknown metric {fields['metric']!r}."})
    for name, value in fields.items():
        setattr(figure, name, value)
    figure.full_clean()
    figure.save()
    return figure


@transaction.atomic
def reference_figure_create(
    *,
    metric: str,
    statistic: str,
    value: Decimal,
    source: str,
    survey_year: int | None = None,
    url: str = "",
    note: str = "",
) -> ReferenceFigure:
    return _reference_save(
        ReferenceFigure(),
        {
            "metric": metric,
            "statistic": statistic,
            "value": value,
            "source": source.strip(),
            "survey_year": survey_year,
            "url": url,
            "note": note.strip(),
        },
    )


@transaction.atomic
def reference_figure_update(*, figure: ReferenceFigure, **fields) -> ReferenceFigure:
    return _reference_save(figure, fields)


@transaction.atomic
def reference_figure_delete(*, figure: ReferenceFigure) -> None:
    figure.delete()


# The published survey figures quoted in SPEC section 4. The brief gives no publisher or year,
# so the seed says where the numbers come from and leaves the year for staff to fill in.
SPEC_REFERENCE_SOURCE = "National radiology compensation survey (quoted in the coalition brief)"
SPEC_REFERENCE_FIGURES = [
    ("wrvu_per_fte", "p50", Decimal("10693")),
    ("wrvu_per_fte", "p75", Decimal("13260")),
    ("comp_per_wrvu", "p50", Decimal("54.43")),
    ("comp_per_wrvu", "p75", Decimal("67.22")),
    ("comp_per_fte", "p50", Decimal("553861")),
    ("comp_per_fte", "p75", Decimal("664161")),
]


@transaction.atomic
def reference_figures_seed() -> int:
    """Add the brief's reference figures that are missing. Idempotent; returns rows added."""
    added = 0
    for metric, statistic, value in SPEC_REFERENCE_FIGURES:
        _, created = ReferenceFigure.objects.get_or_create(
            metric=metric,
            statistic=statistic,
            source=SPEC_REFERENCE_SOURCE,
            survey_year=None,
            defaults={
                "value": value,
                "note": "Publisher and survey year not stated in the brief; confirm and edit.",
            },
        )
        added += created
    return added

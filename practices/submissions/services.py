"""Writes about reporting periods and submissions. Keyword-only, atomic where they write.

The import of a file (submission_process) runs in a Celery task. It is all-or-nothing: reading
and checking happen outside any transaction (progress is saved as it goes), then the rows, the
issues and the new status are written in one transaction. A worker that dies mid-way leaves
the submission `validating` with nothing stored; the task is delivered again (late acks) or the
practice retries, and each run takes a fresh token so that only the latest run may store.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from coalition.queueing import Enqueued, QueueUnavailable, enqueue_on_commit
from practices.models import Practice
from practices.submissions import issues as I
from practices.submissions import kinds, reading, selectors, validation
from practices.submissions.kinds import schema_for
from practices.submissions.models import ReportingPeriod, Submission, SubmissionIssue
from practices.submissions.phi import PHI_LABELS, phi_kind
from practices.submissions.schemas import MAX_YEAR, MIN_YEAR

logger = logging.getLogger(__name__)

S = Submission.Status
PROCESSING = (S.UPLOADED, S.VALIDATING)
ALLOWED_EXTENSIONS = (".csv", ".txt", ".tsv", ".xlsx")


# --- reporting periods -----------------------------------------------------------------------------
def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError({"year": f"The year must be between {MIN_YEAR} and {MAX_YEAR}."})


@transaction.atomic
def reporting_period_create(
    *, year: int, deadline: date | None = None, status: str = ReportingPeriod.Status.OPEN
) -> ReportingPeriod:
    _check_year(year)
    if ReportingPeriod.objects.filter(year=year).exists():
        raise ValidationError({"year": f"There is already a reporting period for {year}."})
    return ReportingPeriod.objects.create(year=year, deadline=deadline, status=status)


@transaction.atomic
def reporting_period_update(
    *, period: ReportingPeriod, status: str | None = None, deadline: date | None = None
) -> ReportingPeriod:
    if status is not None:
        if status not in ReportingPeriod.Status.values:
            raise ValidationError({"status": "Choose open or closed."})
        period.status = status
    period.deadline = deadline
    period.save(update_fields=["status", "deadline", "updated_at"])
    return period


@transaction.atomic
def reporting_period_ensure(*, year: int) -> ReportingPeriod:
    """The year's period, created when missing: closed for a year that is over, else open."""
    _check_year(year)
    status = (
        ReportingPeriod.Status.CLOSED
        if year < timezone.localdate().year
        else ReportingPeriod.Status.OPEN
    )
    period, _ = ReportingPeriod.objects.get_or_create(year=year, defaults={"status": status})
    return period


# --- upload --------------------------------------------------------------------------------------
@dataclass
class PreparedFile:
    """A file read and validated before its submission existed (import_data reads it once to
    find its year), and the sha256 of the very bytes that were read."""

    sha256: str
    validated: validation.Validated | None


@dataclass
class UploadResult:
    submission: Submission
    created: bool  # False: the file is identical to an existing version (nothing changed)
    message: str
    queued: bool = True  # False: saved, but the broker could not be reached (sent later)


def _sha256(file: BinaryIO) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    file.seek(0)
    while chunk := file.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    file.seek(0)
    return digest.hexdigest(), size


def _refuse_identifiers_in_name(filename: str) -> None:
    """A file's name is stored and shown: one that looks like it carries a patient identifier
    is refused before anything is read or stored. The message never repeats the name."""
    code = phi_kind(Path(str(filename or "")).name)
    if code is not None:
        message = (
            f"The file's name looks like it contains {PHI_LABELS[code]} (a patient identifier). "
            "Nothing was stored: rename the file (for example provider_year_2025.csv) and "
            "upload it again."
        )
        raise ValidationError({"file": ValidationError(message, code="phi_filename")})


def submission_upload(
    *,
    practice: Practice,
    kind: str,
    period: ReportingPeriod,
    file: BinaryIO,
    filename: str,
    uploaded_by=None,
    allow_closed_period: bool = False,
    queue: bool = True,
) -> UploadResult:
    """Store the uploaded file as the next version for (practice, kind, period) and queue its
    import once the transaction commits. An identical file (same sha256) changes nothing."""
    try:
        schema_for(kind)
    except ValueError:
        raise ValidationError({"kind": f"Unknown kind of file: {kind}."}) from None
    _refuse_identifiers_in_name(filename)
    filename = Path(str(filename or "upload")).name[:255]
    extension = Path(filename).suffix.lower()
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError({"file": "Upload a CSV (.csv, .txt, .tsv) or an XLSX file."})
    if period.status != ReportingPeriod.Status.OPEN and not allow_closed_period:
        raise ValidationError({"year": f"The {period.year} reporting period is closed to uploads."})
    digest, size = _sha256(file)
    if size > settings.SUBMISSION_MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"file": reading._too_large_message(size, settings.SUBMISSION_MAX_UPLOAD_BYTES)},
            code="too_large",
        )
    if size == 0:
        raise ValidationError({"file": "The file is empty."})
    with transaction.atomic():
        # Serializes uploads of the same practice, kind and year (version numbers).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))",
                [f"submission:{practice.pk}:{kind}:{period.pk}"],
            )
        same = selectors.identical_submission(
            practice=practice, kind=kind, period=period, sha256=digest
        )
        if same is not None:
            return UploadResult(
                submission=same,
                created=False,
                message=(
                    f"This file is identical to version {same.version} "
                    f"({same.get_status_display().lower()}): nothing was changed."
                ),
            )
        latest = selectors.latest_version(practice=practice, kind=kind, period=period)
        submission = Submission(
            practice=practice,
            period=period,
            kind=kind,
            version=(latest.version + 1) if latest else 1,
            status=S.UPLOADED,
            original_filename=filename,
            sha256=digest,
            size_bytes=size,
            uploaded_by=uploaded_by if getattr(uploaded_by, "pk", None) else None,
            progress_message="Waiting for a worker",
            heartbeat_at=timezone.now(),
        )
        # The stored name carries no part of the original name (which could say anything).
        submission.file.save(f"{kind}-{uuid.uuid4().hex}{extension}", File(file), save=False)
        submission.save()
        queued = _queue_processing(submission.pk) if queue else None
    if queued is not None and queued.failed:
        # Saved and recoverable: the sweeper sends it once the broker answers again.
        return UploadResult(
            submission=submission,
            created=True,
            message=f"Version {submission.version} was uploaded. {QUEUE_DOWN_MESSAGE}",
            queued=False,
        )
    return UploadResult(
        submission=submission,
        created=True,
        message=f"Version {submission.version} was uploaded and is being checked.",
    )


def _queue_processing(submission_id: int) -> Enqueued:
    from practices.submissions.tasks import process_submission

    return enqueue_on_commit(process_submission, submission_id)


# --- processing ----------------------------------------------------------------------------------
class SubmissionBusy(Exception):
    """Another run is processing the submission and is alive (its heartbeat is fresh)."""


class _Superseded(Exception):
    """This run no longer owns the submission (Retry or the sweeper handed it to a new run)."""


def _silent(heartbeat_at, *, now=None) -> bool:
    if heartbeat_at is None:
        return True
    limit = timedelta(seconds=settings.SUBMISSION_SILENT_SECONDS)
    return (now or timezone.now()) - heartbeat_at > limit


class _Heartbeat:
    """Keeps heartbeat_at fresh while a run reads, checks and stores, from a thread with its
    own database connection: a long store (a million rows, or rows waiting on a lock) still
    shows the run alive, so neither Retry nor the sweeper hands the submission to a second run.
    The storing transaction does not lock the submission's row until its last moment, so this
    update never waits long. `lost` is set once the submission no longer carries the run's
    token: the run then stops and writes nothing."""

    def __init__(self, submission_id: int, token):
        self.submission_id = submission_id
        self.token = token
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> _Heartbeat:
        # Inside a caller's transaction (tests, a shell) the row is not committed yet: another
        # connection cannot see it, and nothing else can take the submission over meanwhile.
        if not connection.in_atomic_block:
            self._thread = threading.Thread(
                target=self._beat, name=f"heartbeat-{self.submission_id}", daemon=True
            )
            self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _beat(self) -> None:
        try:
            while not self._stop.wait(settings.SUBMISSION_HEARTBEAT_SECONDS):
                try:
                    alive = (
                        Submission.objects.across_practices()
                        .filter(pk=self.submission_id, processing_token=self.token)
                        .filter(status=S.VALIDATING)
                        .update(heartbeat_at=timezone.now())
                    )
                except DatabaseError:
                    connection.close()  # reconnect on the next beat
                    continue
                if not alive:
                    self.lost.set()
                    return
        finally:
            connection.close()  # this thread's own connection

    def check(self) -> None:
        if self.lost.is_set():
            raise _Superseded


def _progress(submission: Submission, percent: int, message: str, beat=None) -> None:
    if beat is not None:
        beat.check()
    submission.progress_percent = percent
    submission.progress_message = message
    submission.heartbeat_at = timezone.now()
    updated = (
        Submission.objects.for_practice(submission.practice)
        .filter(pk=submission.pk, processing_token=submission.processing_token)
        .update(
            progress_percent=percent,
            progress_message=message,
            heartbeat_at=submission.heartbeat_at,
        )
    )
    if not updated:
        raise _Superseded


def _start(submission_id: int) -> Submission | None:
    """Claim the submission for this run under its row lock: a fresh token, which only this
    run holds. None when there is nothing to do; SubmissionBusy when a live run has it."""
    with transaction.atomic():
        submission = (
            Submission.objects.across_practices()
            .select_for_update()
            .select_related("practice", "period")
            .filter(pk=submission_id)
            .first()
        )
        if submission is None or submission.status not in PROCESSING:
            return None  # already done (a task delivered twice), or gone
        if submission.status == S.VALIDATING and not _silent(submission.heartbeat_at):
            # A redelivered or re-queued message while the first run is alive: leave it be.
            raise SubmissionBusy(submission_id)
        now = timezone.now()
        submission.status = S.VALIDATING
        submission.processing_token = uuid.uuid4()
        submission.processing_started_at = now
        submission.heartbeat_at = now
        submission.attempts += 1
        submission.progress_percent = 5
        submission.progress_message = "Reading the file"
        submission.save(
            update_fields=[
                "status",
                "processing_token",
                "processing_started_at",
                "heartbeat_at",
                "attempts",
                "progress_percent",
                "progress_message",
            ]
        )
        return submission


def _issue_rows(submission: Submission, found: list[I.Issue]) -> list[SubmissionIssue]:
    return [
        SubmissionIssue(
            practice_id=submission.practice_id,
            submission=submission,
            severity=issue.severity,
            code=issue.code,
            row_number=issue.row_number,
            column=issue.column[:100],
            message=issue.message[:500],
        )
        for issue in found
    ]


STORED_FILE_CODE = "stored_file_damaged"


def _stored_file_problem(submission: Submission) -> I.Issue | None:
    """The stored file must be the one uploaded: its size and SHA-256 as recorded then. A
    missing or altered file (a disk or copy fault) is a clear failure, never a partial
    import; the practice may upload the identical file again (identical_submission skips
    submissions that failed this way)."""
    again = " Upload the same file again."
    try:
        with submission.file.open("rb") as handle:
            digest, size = _sha256(handle)
    except (FileNotFoundError, ValueError):  # ValueError: the file field is empty
        return I.error(STORED_FILE_CODE, "The stored copy of the file is missing." + again)
    if size != submission.size_bytes or digest != submission.sha256:
        return I.error(
            STORED_FILE_CODE,
            f"The stored copy of the file is damaged ({size:,} bytes instead of "
            f"{submission.size_bytes:,}, or different content)." + again,
        )
    return None


def submission_process(
    *, submission_id: int, on_progress=None, prepared: PreparedFile | None = None
) -> Submission | None:
    """Read, validate, pseudonymize and store one uploaded file. Idempotent: a submission that
    is no longer uploaded/validating is left alone, and only the run holding the submission's
    current token may store (a superseded run returns None having written nothing).
    `on_progress(percent, message)`, if given, hears each step too (import_data's progress
    bar). `prepared` is the file already read and validated by the caller (import_data): used
    when its sha256 is the submission's, so the file is not read twice."""
    submission = _start(submission_id)
    if submission is None:
        return None
    if on_progress is not None:
        on_progress(submission.progress_percent, submission.progress_message)
    token = submission.processing_token
    errors: list[I.Issue] = []
    counts: Counter = Counter()
    validated = None
    try:
        with _Heartbeat(submission.pk, token) as beat:
            if prepared is not None and prepared.sha256 == submission.sha256:
                validated = prepared.validated
                prepared.validated = None  # this run owns the frame now (memory)
                errors, counts = validated.errors, validated.counts
            else:
                validated, errors, counts = _read_and_validate(submission, beat, on_progress)
            if not errors:
                _progress(submission, 70, f"Storing {validated.frame.height:,} rows", beat)
                if on_progress is not None:
                    on_progress(70, submission.progress_message)
            return _finish(
                submission, token=token, validated=validated, errors=errors, counts=counts
            )
    except _Superseded:
        logger.info("Submission %s: run superseded by a newer one; nothing stored", submission_id)
        return None
    except Exception as exc:
        if _superseded(submission, token=token):
            # A newer run owns the submission: whatever this one hit (the newer run's rows, a
            # lost connection) is no failure of the submission's; this run wrote nothing.
            logger.info(
                "Submission %s: superseded run stopped (%s)", submission_id, type(exc).__name__
            )
            return None
        # The message of a parsing library may quote the file: log the kind of error only.
        logger.error("Submission %s failed: %s", submission_id, type(exc).__name__)
        _record_failure(submission, token=token)
        raise


def _read_and_validate(
    submission: Submission, beat, on_progress
) -> tuple[validation.Validated | None, list[I.Issue], Counter]:
    """The stored file read and checked: (validated, errors, counts)."""
    damaged = _stored_file_problem(submission)
    if damaged is not None:
        return None, [damaged], Counter({damaged.code: 1})
    rows = 0

    def read(count: int) -> None:
        nonlocal rows
        rows = count
        _progress(submission, 35, f"Checking {rows:,} rows", beat)
        if on_progress is not None:
            on_progress(35, submission.progress_message)

    def checked(done: int) -> None:
        _progress(
            submission, 35 + 30 * done // max(rows, 1), f"Checked {done:,} of {rows:,} rows", beat
        )
        if on_progress is not None:
            on_progress(submission.progress_percent, submission.progress_message)

    with submission.file.open("rb") as handle:
        validated = _check_file(
            handle,
            kind=submission.kind,
            size=submission.size_bytes,
            year=submission.period.year,
            practice=submission.practice,
            on_read=read,
            on_batch=checked,
        )
    return validated, validated.errors, validated.counts


def _check_file(
    handle,
    *,
    kind: str,
    size: int,
    year: int | None,
    practice: Practice | None,
    on_read=None,
    on_batch=None,
) -> validation.Validated:
    """Read and check one file as the kind's schema says, then the kind's own rules (with the
    practice: its time zone and rules; without one, UTC and the columns' checks only). A
    rejected file comes back as its file-level errors. A large CSV is read in batches
    (reading.py), parsed as it is checked: `on_read(rows)` hears the number of rows once the
    file is read, `on_batch(rows checked)` each batch."""
    schema = schema_for(kind)
    try:
        # A file over the limit is refused by its size alone, before anything is read.
        result = reading.read_file(handle, schema=schema, size=size, batched=True)
    except I.FileRejected as rejected:
        return validation.Validated(
            frame=None,
            errors=rejected.issues,
            counts=Counter(issue.code for issue in rejected.issues),
        )
    if on_read is not None:
        on_read(result.rows)
    validated = validation.validate(
        result.frame if result.frame is not None else result.batches,
        schema=schema,
        year=year,
        header_issues=result.header_issues,
        unchecked=result.unchecked,
        time_zone=practice.time_zone if practice is not None else "UTC",
        on_batch=on_batch if result.frame is None else None,
    )
    del result
    if practice is not None and validated.frame is not None:
        # Rules of the kind beyond its columns' (e.g. one value before another), over the rows
        # whose cells are valid, reported with the other errors.
        for issue in kinds.get(kind).run_validate(validated, practice=practice):
            validated.errors.append(issue)
            validated.counts[issue.code] += 1
    return validated


def _superseded(submission: Submission, *, token) -> bool:
    if connection.in_atomic_block:
        return False
    try:
        connection.close_if_unusable_or_obsolete()
        return not (
            Submission.objects.for_practice(submission.practice)
            .filter(pk=submission.pk, processing_token=token)
            .exists()
        )
    except DatabaseError:
        connection.close()
        return False


def _record_failure(submission: Submission, *, token) -> None:
    """Mark the run as stopped so the page offers Retry at once (and the sweeper may re-queue
    it). The error may have been the database connection itself (a restart, a terminated
    backend): then the write goes through a fresh connection, not the dead one."""

    def write():
        Submission.objects.for_practice(submission.practice).filter(
            pk=submission.pk, processing_token=token
        ).update(
            progress_message="Processing stopped by an internal error; retry it.",
            heartbeat_at=None,
        )

    try:
        write()
    except DatabaseError:
        if connection.in_atomic_block:
            raise
        connection.close()
        try:
            write()
        except DatabaseError:
            logger.exception("Submission %s: could not record the failure", submission.pk)


def _clear_stored(submission: Submission) -> None:
    """Rows and issues an earlier run of the submission may have left (none when every run
    went through this code; kept so that storing twice can never collide)."""
    practice = submission.practice
    for model in (*kinds.get(submission.kind).stored_models(), SubmissionIssue):
        model.objects.for_practice(practice).filter(submission=submission).delete()


def _finish(submission, *, token, validated, errors, counts) -> Submission | None:
    with transaction.atomic():
        if (
            not Submission.objects.for_practice(submission.practice)
            .filter(pk=submission.pk, status=S.VALIDATING, processing_token=token)
            .exists()
        ):
            return None  # a later run took over
        # The rows are written without holding the submission's row lock (the heartbeat must
        # reach it); ownership is checked again under the lock before the status changes.
        _clear_stored(submission)
        now = timezone.now()
        if errors:
            SubmissionIssue.objects.bulk_create(_issue_rows(submission, errors), batch_size=5000)
            stored = found = None
        else:
            upload_kind = kinds.get(submission.kind)
            stored = upload_kind.store_rows(validated, submission=submission)
            found = upload_kind.run_warnings(stored.frame, submission=submission)
            SubmissionIssue.objects.bulk_create(_issue_rows(submission, found), batch_size=5000)
        locked = (
            Submission.objects.for_practice(submission.practice)
            .select_for_update()
            .filter(pk=submission.pk)
            .first()
        )
        if locked is None or locked.status != S.VALIDATING or locked.processing_token != token:
            # Retry or the sweeper handed the submission to a new run while this one stored:
            # nothing of this run is kept.
            transaction.set_rollback(True)
            return None
        if errors:
            locked.status = S.REJECTED
            locked.error_count = sum(counts.values())
            locked.issue_counts = dict(counts)
            locked.warning_count = 0
            locked.row_count = 0
            locked.progress_message = (
                f"Rejected: {locked.error_count:,} error(s). Fix the file and upload it again."
                if STORED_FILE_CODE not in counts
                else "Failed: the stored copy of the file is damaged or missing. "
                "Upload the same file again."
            )
            # A rejected file may hold patient identifiers: it is not kept once its report is
            # written (the report and the file's SHA-256 are).
            stored_name = locked.file.name
            transaction.on_commit(lambda: _discard_file(locked.pk, stored_name))
        else:
            locked.status = S.VALIDATED
            locked.error_count = 0
            locked.issue_counts = {}
            locked.warning_count = len(found)
            locked.row_count = stored.rows
            locked.progress_message = (
                f"Validated: {stored.rows:,} rows"
                + (f", {len(found)} warning(s) to review" if found else "")
                + "."
            )
            if not upload_kind.keep_file:
                # The kind's file holds identifiers its records do not keep: once the rows are
                # stored it goes (its SHA-256 stays for the identical-file check).
                stored_name = locked.file.name
                transaction.on_commit(lambda: _discard_file(locked.pk, stored_name))
        locked.progress_percent = 100
        locked.processed_at = now
        locked.heartbeat_at = now
        locked.save()
        return locked


def _discard_file(submission_id: int, name: str) -> None:
    if not name:
        return
    Submission.file.field.storage.delete(name)
    Submission.objects.across_practices().filter(pk=submission_id, file=name).update(file="")


def submission_is_stalled(submission: Submission) -> bool:
    if submission.status not in PROCESSING:
        return False
    if submission.heartbeat_at is None:
        return True
    stale = timedelta(minutes=settings.SUBMISSION_STALE_MINUTES)
    return timezone.now() - submission.heartbeat_at > stale


def _reset_for_new_run(submission: Submission) -> None:
    """Back to `uploaded` with no token: a run still holding the old token stores nothing."""
    Submission.objects.for_practice(submission.practice).filter(pk=submission.pk).update(
        status=S.UPLOADED,
        processing_token=None,
        progress_percent=0,
        progress_message="Waiting for a worker",
        heartbeat_at=timezone.now(),
    )


def submission_retry(*, submission: Submission) -> Submission:
    """Queue the import again for a submission whose processing stopped. The state is read
    again under the row lock: a run that finished (or came back to life) meanwhile wins.
    Raises QueueUnavailable when the task could not be sent (the submission then stays
    `uploaded` and the sweeper sends it once the broker is back)."""
    with transaction.atomic():
        locked = (
            Submission.objects.for_practice(submission.practice)
            .select_for_update()
            .filter(pk=submission.pk)
            .first()
        )
        if locked is None or not submission_is_stalled(locked):
            raise ValidationError("Only a submission whose processing stopped can be retried.")
        _reset_for_new_run(locked)
        queued = _queue_processing(locked.pk)
    submission.refresh_from_db()
    if queued.failed:
        raise QueueUnavailable(QUEUE_DOWN_MESSAGE)
    return submission


QUEUE_DOWN_MESSAGE = (
    "The processing queue cannot be reached right now. The file is saved and will be "
    "processed automatically as soon as the queue is back; there is no need to upload it again."
)


def submissions_requeue_stalled(*, now=None) -> list[int]:
    """The sweeper (a Celery beat task): send again the submissions that were saved but never
    started (`uploaded` for SUBMISSION_REQUEUE_SECONDS: the message was lost or could not be
    sent) and those whose run went silent (`validating` with no heartbeat for
    SUBMISSION_SILENT_SECONDS: a killed worker, a lost connection, an internal error), the
    latter up to SUBMISSION_MAX_ATTEMPTS runs. Returns the ids sent."""
    now = now or timezone.now()
    waited = now - timedelta(seconds=settings.SUBMISSION_REQUEUE_SECONDS)
    silent = now - timedelta(seconds=settings.SUBMISSION_SILENT_SECONDS)
    candidates = list(
        Submission.objects.across_practices()
        .filter(
            Q(status=S.UPLOADED) & (Q(heartbeat_at__lt=waited) | Q(heartbeat_at__isnull=True))
            | Q(status=S.VALIDATING, attempts__lt=settings.SUBMISSION_MAX_ATTEMPTS)
            & (Q(heartbeat_at__lt=silent) | Q(heartbeat_at__isnull=True))
        )
        .order_by("heartbeat_at")
        .values_list("pk", flat=True)[:500]
    )
    sent = []
    for submission_id in candidates:
        with transaction.atomic():
            locked = (
                Submission.objects.across_practices()
                .select_for_update(skip_locked=True)
                .select_related("practice")
                .filter(pk=submission_id, status__in=PROCESSING)
                .first()
            )
            if locked is None:
                continue
            if locked.status == S.VALIDATING and not _silent(locked.heartbeat_at, now=now):
                continue  # came back to life meanwhile
            if (
                locked.status == S.UPLOADED
                and locked.heartbeat_at
                and locked.heartbeat_at >= waited
            ):
                continue
            _reset_for_new_run(locked)
            queued = _queue_processing(locked.pk)
        if queued.failed:
            break  # the broker is down: the next sweep tries again
        sent.append(submission_id)
    if sent:
        logger.info("Re-queued %d stalled submission(s): %s", len(sent), sent)
    return sent


# --- review ---------------------------------------------------------------------------------------
def _lock_versions(submission: Submission) -> list[Submission]:
    return list(
        Submission.objects.for_practice(submission.practice)
        .select_for_update()
        .filter(kind=submission.kind, period=submission.period)
        .order_by("version")
    )


@transaction.atomic
def submission_submit(*, submission: Submission, user=None, note: str = "") -> Submission:
    """The practice sends a validated (or returned) version to the analysts."""
    versions = _lock_versions(submission)
    submission.refresh_from_db()
    if submission.status not in (S.VALIDATED, S.RETURNED):
        raise ValidationError(
            f"Only a validated or returned version can be submitted; this one is "
            f"{submission.get_status_display().lower()}."
        )
    if any(v.version > submission.version and v.status != S.REJECTED for v in versions):
        raise ValidationError("A newer version exists: submit that one.")
    submission.status = S.SUBMITTED
    submission.submitted_at = timezone.now()
    submission.submitter_note = note.strip()[:2000]
    submission.save(update_fields=["status", "submitted_at", "submitter_note"])
    return submission


@transaction.atomic
def submission_approve(*, submission: Submission, reviewer=None, comment: str = "") -> Submission:
    """Approve a submitted version: it becomes current and supersedes the older versions."""
    versions = _lock_versions(submission)
    submission.refresh_from_db()
    if submission.status != S.SUBMITTED:
        raise ValidationError("Only a submitted version can be approved.")
    if any(v.version > submission.version and v.status == S.APPROVED for v in versions):
        raise ValidationError("A newer version is already approved.")
    now = timezone.now()
    older = [
        v.pk
        for v in versions
        if v.version < submission.version
        and v.status in (S.APPROVED, S.SUBMITTED, S.VALIDATED, S.RETURNED)
    ]
    # The old current version steps down before the new one steps up (one current per year).
    Submission.objects.for_practice(submission.practice).filter(pk__in=older).update(
        is_current=False, status=S.SUPERSEDED
    )
    submission.status = S.APPROVED
    submission.is_current = True
    submission.reviewed_by = reviewer if getattr(reviewer, "pk", None) else None
    submission.reviewed_at = now
    submission.review_comment = comment.strip()
    submission.save(
        update_fields=["status", "is_current", "reviewed_by", "reviewed_at", "review_comment"]
    )
    return submission


@transaction.atomic
def submission_return(*, submission: Submission, reviewer=None, comment: str) -> Submission:
    """Send a submitted version back to the practice with a comment it will see."""
    _lock_versions(submission)
    submission.refresh_from_db()
    if submission.status != S.SUBMITTED:
        raise ValidationError("Only a submitted version can be returned.")
    if not comment.strip():
        raise ValidationError({"comment": "Say what the practice should fix."})
    submission.status = S.RETURNED
    submission.reviewed_by = reviewer if getattr(reviewer, "pk", None) else None
    submission.reviewed_at = timezone.now()
    submission.review_comment = comment.strip()
    submission.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
    return submission


# --- operators: import_data ------------------------------------------------------------------------
@dataclass
class ImportOutcome:
    submission: Submission | None
    message: str
    errors: list[I.Issue]
    counts: Counter

    @property
    def ok(self) -> bool:
        return not self.counts and self.submission is not None


def file_inspect(
    *, kind: str, path: Path, practice: Practice | None = None, on_progress=None
) -> tuple[validation.Validated, str]:
    """Read and check a file without storing anything: (the result, the sha256 of the bytes
    read). With the practice, date-times are read in its time zone and the kind's own rules
    run. `on_progress(rows checked, rows)` hears each batch of a large CSV."""
    rows = 0

    def read(count: int) -> None:
        nonlocal rows
        rows = count

    with path.open("rb") as handle:
        digest, _ = _sha256(handle)  # streamed
        validated = _check_file(
            handle,
            kind=kind,
            size=path.stat().st_size,
            year=None,
            practice=practice,
            on_read=read,
            on_batch=None if on_progress is None else lambda done: on_progress(done, rows),
        )
    return validated, digest


def submission_import(
    *, practice: Practice, kind: str, path: Path, operator=None, on_progress=None
) -> ImportOutcome:
    """import_data: validate, import and approve a file as an analyst would, in the reporting
    period of the file's year (created when missing). `on_progress(percent, message)` hears
    the steps."""

    def report(percent: float, message: str) -> None:
        if on_progress is not None:
            on_progress(int(percent), message)

    _refuse_identifiers_in_name(path.name)
    report(0, "Reading and checking the file to find its year")
    # Read and validated once: the import below stores these rows (when the stored file is the
    # one that was read) instead of reading the file a second time.
    inspected, digest = file_inspect(
        kind=kind,
        path=path,
        practice=practice,
        on_progress=lambda done, rows: report(
            45 * done / max(rows, 1), f"Checked {done:,} of {rows:,} rows"
        ),
    )
    if inspected.counts or not inspected.years:
        return ImportOutcome(None, "The file was rejected.", inspected.errors, inspected.counts)
    period = reporting_period_ensure(year=inspected.years[0])
    prepared = PreparedFile(sha256=digest, validated=inspected)
    del inspected
    with path.open("rb") as handle:
        upload = submission_upload(
            practice=practice,
            kind=kind,
            period=period,
            file=handle,
            filename=path.name,
            uploaded_by=operator,
            allow_closed_period=True,
            queue=False,  # processed right here
        )
    submission = upload.submission
    if not upload.created:
        return ImportOutcome(submission, upload.message, [], Counter())
    report(50, "Storing the file as a new version")
    submission_process(
        submission_id=submission.pk,
        on_progress=lambda percent, message: report(50 + 0.45 * percent, message),
        prepared=prepared,
    )
    del prepared
    submission.refresh_from_db()
    report(97, "Approving")
    if submission.status == S.REJECTED:
        errors = [
            I.Issue(i.severity, i.code, i.message, i.row_number, i.column)
            for i in selectors.submission_issues(
                submission=submission, severity=SubmissionIssue.Severity.ERROR
            )
        ]
        return ImportOutcome(
            submission, "The file was rejected.", errors, Counter(submission.issue_counts)
        )
    submission_submit(submission=submission, user=operator, note="Imported with import_data.")
    submission_approve(
        submission=submission, reviewer=operator, comment="Imported and approved by an operator."
    )
    return ImportOutcome(
        submission,
        f"Imported {submission.row_count:,} rows as version {submission.version} of "
        f"{kind} {period.year}; approved and current"
        + (f" ({submission.warning_count} warning(s))." if submission.warning_count else "."),
        [],
        Counter(),
    )

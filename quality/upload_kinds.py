"""The quality upload kinds (SPEC section 3), registered from QualityConfig.ready(). Their
functions are named by path (kinds.py), so registering imports neither polars nor numpy."""

from __future__ import annotations

from practices.submissions.kinds import UploadKind, register
from quality import schemas

STORAGE = "quality.storage"

EXAM_TURNAROUND = register(
    UploadKind(
        schema=schemas.EXAM_TURNAROUND,
        record_model="quality.TurnaroundGroup",
        store=f"{STORAGE}:store_exam_turnaround",
        warnings=(f"{STORAGE}:exams_in_other_years",),
        records_template="quality/records/exam_turnaround.html",
        # Accession numbers and exam times are identifiers the records do not keep.
        keep_file=False,
        validate=f"{STORAGE}:validate_exam_turnaround",
        order=40,
    )
)

PEER_REVIEW = register(
    UploadKind(
        schema=schemas.PEER_REVIEW,
        record_model="quality.PeerReviewRecord",
        store=f"{STORAGE}:store_peer_review",
        records_template="quality/records/peer_review.html",
        order=50,
    )
)

QUALITY_MEASURE = register(
    UploadKind(
        schema=schemas.QUALITY_MEASURE,
        record_model="quality.QualityMeasureRecord",
        store=f"{STORAGE}:store_quality_measure",
        records_template="quality/records/quality_measure.html",
        validate=f"{STORAGE}:validate_quality_measure",
        order=60,
    )
)

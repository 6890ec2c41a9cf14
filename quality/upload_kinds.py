"""The quality upload kinds (SPEC section 3), registered from QualityConfig.ready()."""

from __future__ import annotations

from practices.submissions.kinds import UploadKind, register
from quality import schemas, storage

EXAM_TURNAROUND = register(
    UploadKind(
        schema=schemas.EXAM_TURNAROUND,
        record_model="quality.TurnaroundGroup",
        store=storage.store_exam_turnaround,
        warnings=(storage.exams_in_other_years,),
        records_template="quality/records/exam_turnaround.html",
        # Accession numbers and exam times are identifiers the records do not keep.
        keep_file=False,
        validate=storage.validate_exam_turnaround,
        order=40,
    )
)

PEER_REVIEW = register(
    UploadKind(
        schema=schemas.PEER_REVIEW,
        record_model="quality.PeerReviewRecord",
        store=storage.store_peer_review,
        records_template="quality/records/peer_review.html",
        order=50,
    )
)

QUALITY_MEASURE = register(
    UploadKind(
        schema=schemas.QUALITY_MEASURE,
        record_model="quality.QualityMeasureRecord",
        store=storage.store_quality_measure,
        records_template="quality/records/quality_measure.html",
        validate=storage.validate_quality_measure,
        order=60,
    )
)

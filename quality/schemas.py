"""The schemas of the three quality kinds (SPEC section 3): turnaround per exam, peer review
scores per provider, month and modality, and the practice's quality measures for the year."""

from __future__ import annotations

from decimal import Decimal

from practices.submissions.schemas import MODALITIES, PROVIDER_ID, Column, ColumnType, KindSchema
from quality.measures import MEASURE_CODES

PATIENT_CLASSES = ("ED", "inpatient", "outpatient")
PRIORITIES = ("stat", "routine")
RADPEER_SCORES = ("1", "2a", "2b", "3a", "3b")
MAJOR_DISCREPANCY_SCORES = ("2b", "3a", "3b")
MAX_COUNT = Decimal(10_000_000)

EXAM_TURNAROUND = KindSchema(
    kind="exam_turnaround",
    label="Exam turnaround",
    row_is="one exam",
    description=(
        "When each exam was completed and its report finalized. The coalition keeps only the "
        "turnaround in seconds with the month, modality, class and priority, and a keyed tag "
        "of the exam id to recognize the exam in another file: neither the id nor the times "
        "are stored, and the file is deleted once imported."
    ),
    key=("exam_id",),
    year_column="completed_at",
    columns=(
        Column(
            name="exam_id",
            type=ColumnType.CODE,
            required=True,
            description=(
                "The exam's accession number (or another id unique within the practice). Kept "
                "only as a keyed tag, to find an exam that appears twice; compared without "
                "regard to case."
            ),
            pattern=r"^[0-9A-Z][0-9A-Z._:/-]{0,39}$",
            pattern_help="up to 40 letters, digits and . _ : / -, starting with a letter or digit",
            max_length=40,
            example="A2025-0001234",
        ),
        Column(
            name="modality",
            type=ColumnType.CHOICE,
            required=True,
            description="Imaging modality.",
            choices=MODALITIES,
            example="CT",
        ),
        Column(
            name="patient_class",
            type=ColumnType.CHOICE,
            required=True,
            description="Where the patient was: emergency department, inpatient or outpatient.",
            choices=PATIENT_CLASSES,
            example="ED",
        ),
        Column(
            name="priority",
            type=ColumnType.CHOICE,
            required=True,
            description="Reading priority of the exam.",
            choices=PRIORITIES,
            example="stat",
        ),
        Column(
            name="completed_at",
            type=ColumnType.DATETIME,
            required=True,
            description=(
                "When the exam was completed (images available to read). The exam belongs to "
                "the year of this time in the practice's time zone; one year per file."
            ),
            example="2025-03-14T08:30:00-05:00",
        ),
        Column(
            name="finalized_at",
            type=ColumnType.DATETIME,
            required=True,
            description=(
                "When the report was finalized (signed). Not before completed_at; turnaround "
                "is the real time elapsed between the two, daylight saving time included."
            ),
            example="2025-03-14T08:52:10-05:00",
        ),
    ),
)

PEER_REVIEW = KindSchema(
    kind="peer_review",
    label="Peer review",
    row_is="one provider x month x modality x RADPEER score",
    description=(
        "Peer review (RADPEER 2016) scores given to each radiologist's reads, counted per "
        "month and modality."
    ),
    key=("provider_id", "service_month", "modality", "score"),
    year_column="service_month",
    columns=(
        PROVIDER_ID,
        Column(
            name="service_month",
            type=ColumnType.MONTH,
            required=True,
            description="Month of the reviewed reads, YYYY-MM. One year per file.",
            example="2025-03",
        ),
        Column(
            name="modality",
            type=ColumnType.CHOICE,
            required=True,
            description="Imaging modality of the reviewed reads.",
            choices=MODALITIES,
            example="CT",
        ),
        Column(
            name="score",
            type=ColumnType.CHOICE,
            required=True,
            description=(
                "RADPEER 2016 score: 1 concur; 2 discrepancy in interpretation not ordinarily "
                "expected to be made (a: unlikely clinically significant, b: likely); 3 "
                "discrepancy that should be made almost every time (a, b likewise). 2b, 3a and "
                "3b are major discrepancies."
            ),
            choices=RADPEER_SCORES,
            example="1",
        ),
        Column(
            name="count",
            type=ColumnType.INTEGER,
            required=True,
            description="Reviews with this score.",
            unit="reviews",
            minimum=Decimal(0),
            maximum=MAX_COUNT,
            example="112",
        ),
    ),
)

QUALITY_MEASURE = KindSchema(
    kind="quality_measure",
    label="Quality measures",
    row_is="one measure x year",
    description="The practice's quality measures for the year: a numerator and a denominator.",
    key=("measure_code",),
    year_column="year",
    columns=(
        Column(
            name="year",
            type=ColumnType.YEAR,
            required=True,
            description="The reporting year.",
            example="2025",
        ),
        Column(
            name="measure_code",
            type=ColumnType.CHOICE,
            required=True,
            description=(
                "The measure: critical_result_10min (critical results communicated within 10 "
                "minutes / critical results), mammography_recall (screening mammograms "
                "recalled / screening mammograms), patient_experience (top-box survey "
                "responses / responses)."
            ),
            choices=MEASURE_CODES,
            example="critical_result_10min",
        ),
        Column(
            name="numerator",
            type=ColumnType.INTEGER,
            required=True,
            description="Cases meeting the measure; not more than the denominator.",
            unit="cases",
            minimum=Decimal(0),
            maximum=MAX_COUNT * 100,
            example="941",
        ),
        Column(
            name="denominator",
            type=ColumnType.INTEGER,
            required=True,
            description="Cases the measure applies to.",
            unit="cases",
            minimum=Decimal(1),
            maximum=MAX_COUNT * 100,
            example="980",
        ),
    ),
)

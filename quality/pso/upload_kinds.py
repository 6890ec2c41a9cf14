"""The `safety_event` upload kind: practices that keep events in their own incident system
upload them as CSV or XLSX, one row per event (docs/pso.md). Registered from PsoConfig.ready()."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.utils import timezone

from practices.submissions import issues as I
from practices.submissions.kinds import UploadKind, register
from practices.submissions.schemas import ROW, Column, ColumnType, KindSchema
from quality.pso import vocabularies as V

if TYPE_CHECKING:
    from practices.submissions.storage import Stored

NARRATIVE_MAX = 4000

SAFETY_EVENT = KindSchema(
    kind="safety_event",
    label="Safety events",
    row_is="one safety event",
    description="Safety events from the practice's own incident system (AHRQ Common Formats).",
    key=(),
    year_column="discovered_on",
    max_rows=20000,
    columns=(
        Column(
            name="event_class",
            type=ColumnType.CHOICE,
            required=True,
            description="Incident (reached the patient), near miss, or unsafe condition.",
            choices=tuple(V.EventClass.values),
            example="incident",
        ),
        Column(
            name="event_type",
            type=ColumnType.CHOICE,
            required=True,
            description="What kind of event it was.",
            choices=V.EVENT_TYPE_CODES,
            example="contrast_reaction",
        ),
        Column(
            name="harm",
            type=ColumnType.CHOICE,
            required=True,
            description=f"Harm to the patient ({V.HARM_SCALE_VERSION}).",
            choices=tuple(V.Harm.values),
            example="mild",
        ),
        Column(
            name="discovered_on",
            type=ColumnType.CODE,
            required=True,
            description="The date the event was discovered, YYYY-MM-DD; one year per file, "
            "never in the future. Only its year is ever shown outside the practice.",
            pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
            pattern_help="a date in the form YYYY-MM-DD",
            max_length=10,
            example="2025-03-14",
        ),
        Column(
            name="modality",
            type=ColumnType.CHOICE,
            required=True,
            description="Imaging modality involved.",
            choices=V.MODALITIES,
            example="CT",
        ),
        Column(
            name="patient_class",
            type=ColumnType.CHOICE,
            required=False,
            description="The patient's setting.",
            choices=tuple(V.PatientClass.values),
            example="outpatient",
        ),
        Column(
            name="contributing_factors",
            type=ColumnType.TEXT,
            required=False,
            description="Contributing factors separated by ';', from: "
            + ", ".join(V.CONTRIBUTING_FACTOR_CODES)
            + ".",
            max_length=300,
            example="communication;staffing",
        ),
        Column(
            name="preventability",
            type=ColumnType.CHOICE,
            required=True,
            description="Whether the event could have been prevented.",
            choices=tuple(V.Preventability.values),
            example="possibly_preventable",
        ),
        Column(
            name="narrative",
            type=ColumnType.TEXT,
            required=False,
            description="What happened, without any patient identifier (no names, dates other "
            "than a year, record numbers, addresses or contact details): a file with one such "
            "narrative is rejected whole.",
            max_length=NARRATIVE_MAX,
            example="Patient developed hives ten minutes after IV contrast; treated and released.",
        ),
    ),
)


def _event_rules(validated, *, practice) -> list[I.Issue]:
    """Rules the columns cannot say: real calendar dates not in the future, known
    contributing factors, and no identifier in a narrative (kind and characters, never the
    value)."""
    frame = validated.normalized()
    found: list[I.Issue] = []
    today = timezone.localdate()
    for row, text in frame.select(ROW, "discovered_on").iter_rows():
        try:
            day = date.fromisoformat(text)
        except (TypeError, ValueError):
            found.append(I.error("bad_date", "is not a real date", row=row, column="discovered_on"))
            continue
        if day > today:
            found.append(
                I.error("future_date", "is in the future", row=row, column="discovered_on")
            )
    allowed = set(V.CONTRIBUTING_FACTOR_CODES)
    for row, text in frame.select(ROW, "contributing_factors").iter_rows():
        codes = [c.strip().lower() for c in (text or "").split(";") if c.strip()]
        unknown = [c for c in codes if c not in allowed]
        if unknown:
            found.append(
                I.error(
                    "not_in_vocabulary",
                    "has a contributing factor that is not one of "
                    + ", ".join(V.CONTRIBUTING_FACTOR_CODES),
                    row=row,
                    column="contributing_factors",
                )
            )
    # The prose patterns compile on first use, not while the kind registers at set-up.
    from quality.pso.identifiers import find_identifiers, identifier_message

    for row, text in frame.select(ROW, "narrative").iter_rows():
        findings = find_identifiers(text or "")
        if findings:
            found.append(
                I.error(findings[0].code, identifier_message(findings), row=row, column="narrative")
            )
    return found


def store_safety_events(validated, *, submission) -> Stored:
    """One SafetyEvent per row (status reported, source upload), tied to the submission so
    that they count only while it is the current approved version."""
    # Imported here: registering the kind at set-up must not load polars (kinds.py).
    from practices.submissions.storage import Stored
    from quality.pso.models import EventTransition, SafetyEvent
    from quality.pso.services import _next_reference

    frame = validated.normalized()
    practice = submission.practice
    rows = frame.select(
        ROW,
        "event_class",
        "event_type",
        "harm",
        "discovered_on",
        "modality",
        "patient_class",
        "contributing_factors",
        "preventability",
        "narrative",
    ).iter_rows(named=True)
    created = []
    factors_of = []
    next_number: dict[int, int] = {}
    for row in rows:
        day = date.fromisoformat(row["discovered_on"])
        if day.year not in next_number:
            last = _next_reference(practice, day.year)
            next_number[day.year] = int(last.rsplit("-", 1)[1])
        number = next_number[day.year]
        next_number[day.year] += 1
        created.append(
            SafetyEvent(
                practice=practice,
                reference=f"SE-{day.year}-{number:04d}",
                event_class=row["event_class"],
                event_type_id=row["event_type"],
                harm=row["harm"],
                discovered_on=day,
                modality=row["modality"],
                patient_class=row["patient_class"] or "",
                preventability=row["preventability"],
                narrative=row["narrative"] or "",
                source=SafetyEvent.Source.UPLOAD,
                submission=submission,
            )
        )
        factors_of.append(
            sorted(
                {c.strip().lower() for c in (row["contributing_factors"] or "").split(";")} - {""}
            )
        )
    events = SafetyEvent.objects.bulk_create(created)
    through = SafetyEvent.contributing_factors.through
    through.objects.bulk_create(
        [
            through(safetyevent_id=event.pk, contributingfactor_id=code)
            for event, codes in zip(events, factors_of, strict=True)
            for code in codes
        ]
    )
    EventTransition.objects.bulk_create(
        [
            EventTransition(practice=practice, event=event, to_status=V.Status.REPORTED)
            for event in events
        ]
    )
    return Stored(rows=len(events), frame=frame.select(ROW))


SAFETY_EVENT_KIND = register(
    UploadKind(
        schema=SAFETY_EVENT,
        record_model="pso.SafetyEvent",
        store=store_safety_events,
        validate=_event_rules,
        records_template="pso/records.html",
        reviewer_permission="pso.manage_safety_events",
        # Narratives that passed the check are kept in the events; the file itself is not.
        keep_file=False,
        order=60,
    )
)

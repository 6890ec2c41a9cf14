"""The safety_event upload kind, import_safety_events, and the de-identified export."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from practices.submissions.models import Submission
from quality.pso import exports, selectors, services
from quality.pso.models import SafetyEvent
from tests.pso.factories import report

HEADER = (
    "event_class,event_type,harm,discovered_on,modality,patient_class,contributing_factors,"
    "preventability,narrative"
)
ROWS = [
    "incident,contrast_reaction,mild,2025-02-03,CT,outpatient,communication;staffing,"
    "possibly_preventable,Hives after IV contrast; treated and released.",
    "near_miss,wrong_patient,none,2025-04-20,XR,ED,health_it,preventable,"
    "Order on the wrong record; caught at the scanner.",
    "unsafe_condition,mri_safety,none,2025-06-01,MR,,equipment,preventable,",
]


def _file(tmp_path, rows, name="events.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return path


def test_import_stores_every_event_and_keeps_no_file(
    practice_a, tmp_path, django_capture_on_commit_callbacks
):
    path = _file(tmp_path, ROWS)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_safety_events", "--practice", practice_a.slug, str(path))
    events = selectors.practice_events(practice=practice_a).order_by("reference")
    assert [e.reference for e in events] == ["SE-2025-0001", "SE-2025-0002", "SE-2025-0003"]
    first = events[0]
    assert first.source == "upload" and first.status == "reported"
    assert sorted(f.code for f in first.contributing_factors.all()) == ["communication", "staffing"]
    submission = Submission.objects.for_practice(practice_a).get(kind="safety_event")
    assert submission.is_current and not submission.file


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (ROWS[0].replace("Hives after", "Mr. Alvarez had hives after"), "narrative"),
        (ROWS[0].replace("2025-02-03", "2025-02-30"), "discovered_on"),
        (ROWS[0].replace("2025-02-03", "2099-02-03"), "discovered_on"),
        (ROWS[0].replace("communication;staffing", "communication;luck"), "contributing_factors"),
        (ROWS[0].replace("contrast_reaction", "slip"), "event_type"),
        (ROWS[0].replace("mild", "awful"), "harm"),
    ],
)
def test_one_bad_row_rejects_the_whole_file(practice_a, tmp_path, capsys, row, column):
    path = _file(tmp_path, [row, ROWS[1], ROWS[2]])
    with pytest.raises(CommandError):
        call_command("import_safety_events", "--practice", practice_a.slug, str(path))
    report_text = capsys.readouterr().err
    assert f"2,{column}," in report_text
    assert "Alvarez" not in report_text
    assert SafetyEvent.objects.for_practice(practice_a).count() == 0


def test_a_second_year_in_the_file_is_an_error(practice_a, tmp_path):
    path = _file(tmp_path, [ROWS[0], ROWS[1].replace("2025-04-20", "2024-04-20")])
    with pytest.raises(CommandError):
        call_command("import_safety_events", "--practice", practice_a.slug, str(path))
    assert SafetyEvent.objects.for_practice(practice_a).count() == 0


def test_superseded_upload_events_stop_counting(practice_a, tmp_path):
    call_command("import_safety_events", "--practice", practice_a.slug, str(_file(tmp_path, ROWS)))
    call_command(
        "import_safety_events",
        "--practice",
        practice_a.slug,
        str(_file(tmp_path, ROWS[:1], name="fixed.csv")),
    )
    assert selectors.practice_events(practice=practice_a).count() == 1


def test_export_has_no_identity_and_years_only(practice_a, admin_a, make_staff):
    pso = make_staff("pso_staff")
    event = report(practice_a, reporter=admin_a)
    services.safety_event_triage(event=event, by=pso, likelihood="possible", owner=pso)
    # A narrative stored before the rules grew is dropped from the export if it fails now.
    SafetyEvent.objects.for_practice(practice_a).filter(pk=event.pk).update(
        narrative="Patient Ann Lee had hives"
    )
    report(practice_a)
    body = exports.deidentified_csv().decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 2
    assert {"year", "event_class", "event_type", "harm", "modality", "preventability"} <= set(
        rows[0]
    )
    for forbidden in (
        practice_a.name,
        practice_a.slug,
        admin_a.email,
        pso.email,
        "SE-2025",
        "2025-03-14",
        "Ann Lee",
    ):
        assert forbidden not in body
    assert {row["year"] for row in rows} == {"2025"}
    assert sorted(row["narrative"] != "" for row in rows) == [False, True]
    payload = json.loads(exports.deidentified_json())
    assert len(payload["events"]) == 2 and "practice" not in payload["events"][0]


def test_export_command_requires_deidentified(db, tmp_path):
    with pytest.raises(CommandError, match="de-identified"):
        call_command("export_safety_events", "--format", "csv")
    out = tmp_path / "export.json"
    call_command("export_safety_events", "--deidentified", "--format", "json", "--output", str(out))
    assert json.loads(out.read_text())["events"] == []

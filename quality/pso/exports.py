"""The de-identified export for the PSO's national submission (42 CFR 3.212): one row per event
in the Common Formats' shape, with no practice, reporter, exam or provider identity, dates
reduced to the year, and a narrative only where it passes the identifier check again."""

from __future__ import annotations

import json

from quality.pso import selectors
from quality.pso.identifiers import find_identifiers

COLUMNS = [
    "year",
    "event_class",
    "event_type",
    "harm",
    "harm_scale_version",
    "modality",
    "patient_class",
    "contributing_factors",
    "preventability",
    "severity",
    "status",
    "corrective_actions",
    "action_strengths",
    "narrative",
]


def deidentified_rows(*, year: int | None = None) -> list[dict]:
    events = selectors.with_children(selectors.staff_events()).order_by(
        "discovered_on", "event_type_id", "id"
    )
    if year is not None:
        events = events.filter(discovered_on__year=year)
    rows = []
    for event in events:
        narrative = event.narrative or ""
        actions = list(event.actions.all())
        rows.append(
            {
                "year": event.discovered_on.year,
                "event_class": event.event_class,
                "event_type": event.event_type_id,
                "harm": event.harm,
                "harm_scale_version": event.harm_scale_version,
                "modality": event.modality,
                "patient_class": event.patient_class,
                "contributing_factors": ";".join(
                    sorted(f.code for f in event.contributing_factors.all())
                ),
                "preventability": event.preventability,
                "severity": event.severity,
                "status": event.status,
                "corrective_actions": len(actions),
                "action_strengths": ";".join(sorted({a.strength for a in actions})),
                "narrative": narrative if narrative and not find_identifiers(narrative) else "",
            }
        )
    return rows


def deidentified_csv(*, year: int | None = None) -> bytes:
    from coalition import spreadsheets

    return spreadsheets.csv_bytes(
        spreadsheets.records(deidentified_rows(year=year), COLUMNS), header=COLUMNS
    )


def deidentified_json(*, year: int | None = None) -> bytes:
    payload = {
        "format": "coalition-pso-deidentified/1",
        "columns": COLUMNS,
        "events": deidentified_rows(year=year),
    }
    return json.dumps(payload, indent=1).encode()

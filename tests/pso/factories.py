from __future__ import annotations

from datetime import date

from quality.pso import services

GOOD = {
    "event_class": "incident",
    "event_type": "contrast_reaction",
    "harm": "mild",
    "discovered_on": date(2025, 3, 14),
    "modality": "CT",
    "patient_class": "outpatient",
    "contributing_factors": ["communication"],
    "preventability": "possibly_preventable",
    "narrative": "Hives ten minutes after IV contrast; treated with an antihistamine.",
}


def report(practice, *, reporter=None, anonymous=False, **changes):
    data = {**GOOD, **changes}
    return services.safety_event_report(
        practice=practice, reporter=reporter, anonymous=anonymous, data=data
    )

"""Demo safety events for seed_demo: a realistic year of imaging safety events across the demo
coalition, some triaged, analyzed and closed with corrective actions, and two published
lessons. Idempotent (a practice that already has events is left alone)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from practices.models import Practice
from quality.pso import services
from quality.pso.models import Lesson, SafetyEvent

# (event type, class, typical harm, modality, factors, preventability, narrative)
SCENARIOS = [
    (
        "contrast_reaction",
        "incident",
        "mild",
        "CT",
        ["patient_factors"],
        "not_preventable",
        "Hives and itching ten minutes after IV iodinated contrast; treated with an antihistamine "
        "and observed; discharged the same day.",
    ),
    (
        "extravasation",
        "incident",
        "mild",
        "CT",
        ["equipment", "training"],
        "possibly_preventable",
        "About 40 mL of contrast extravasated in the forearm during power injection; limb elevated, "
        "cold compress, surgical review not needed.",
    ),
    (
        "wrong_patient",
        "near_miss",
        "none",
        "XR",
        ["communication", "health_it"],
        "preventable",
        "Order entered on the wrong record with a similar name; caught at the two-identifier check "
        "before the exposure.",
    ),
    (
        "wrong_side",
        "near_miss",
        "none",
        "US",
        ["communication"],
        "preventable",
        "Requisition said left, the clinical note right; clarified with the ordering provider at "
        "time-out.",
    ),
    (
        "diagnostic_discrepancy",
        "incident",
        "moderate",
        "CT",
        ["staffing"],
        "possibly_preventable",
        "Small pulmonary embolism missed on an overnight read; found at next-day over-read and the "
        "patient recalled for treatment.",
    ),
    (
        "critical_result_communication",
        "incident",
        "moderate",
        "MR",
        ["communication", "policy"],
        "preventable",
        "Critical finding not communicated within the policy window; ordering clinician reached "
        "the next morning.",
    ),
    (
        "mri_safety",
        "near_miss",
        "none",
        "MR",
        ["training", "environment"],
        "preventable",
        "Ferromagnetic oxygen cylinder brought to Zone III; stopped by the technologist before "
        "Zone IV.",
    ),
    (
        "radiation_dose",
        "incident",
        "none",
        "CT",
        ["equipment"],
        "possibly_preventable",
        "Repeat scan after a protocol selection error doubled the dose; within reference levels.",
    ),
    (
        "fall",
        "incident",
        "mild",
        "XR",
        ["environment", "staffing"],
        "possibly_preventable",
        "Patient slipped stepping down from the table; bruised knee, no fracture.",
    ),
    (
        "equipment_device",
        "unsafe_condition",
        "none",
        "FL",
        ["equipment"],
        "preventable",
        "Table lock intermittently failing on the fluoroscopy suite; room taken out of service.",
    ),
    (
        "procedural_complication",
        "incident",
        "moderate",
        "IR",
        ["patient_factors"],
        "not_preventable",
        "Hematoma at the access site after biopsy; managed with compression.",
    ),
    (
        "medication",
        "near_miss",
        "none",
        "NM",
        ["communication"],
        "preventable",
        "Wrong radiopharmaceutical dose drawn up; caught at the independent double check.",
    ),
]
WEIGHTS = [14, 8, 10, 5, 9, 6, 4, 4, 6, 3, 3, 2]
CLASSES = ["ED", "inpatient", "outpatient"]


def seed(*, stdout=None, year: int | None = None, rng: random.Random | None = None) -> int:
    rng = rng or random.Random(2027)
    today = timezone.localdate()
    year = year or today.year - 1
    pso = list(
        get_user_model().objects.filter(groups__name="pso_staff", is_active=True).order_by("email")
    )
    created = 0
    for practice in Practice.objects.filter(is_active=True).order_by("pk"):
        if SafetyEvent.objects.for_practice(practice).exists():
            continue
        admin = practice.memberships.filter(role="practice_admin").select_related("user").first()
        reporter = admin.user if admin else None
        count = max(2, int(float(practice.radiologist_fte) / 6) + rng.randint(0, 4))
        for _ in range(count):
            scenario = rng.choices(SCENARIOS, weights=WEIGHTS)[0]
            kind, klass, harm, modality, factors, preventable, narrative = scenario
            day = date(year, 1, 1) + timedelta(days=rng.randrange(365))
            event = services.safety_event_report(
                practice=practice,
                reporter=reporter,
                anonymous=rng.random() < 0.2,
                data={
                    "event_class": klass,
                    "event_type": kind,
                    "harm": harm,
                    "discovered_on": min(day, today),
                    "modality": modality,
                    "patient_class": rng.choice(CLASSES),
                    "contributing_factors": factors,
                    "preventability": preventable,
                    "narrative": narrative,
                    "pses_entry_date": min(day + timedelta(days=2), today),
                },
            )
            created += 1
            if not pso or rng.random() < 0.3:
                continue  # left for triage
            owner = rng.choice(pso)
            services.safety_event_triage(
                event=event,
                by=owner,
                likelihood=rng.choice(["rare", "unlikely", "possible"]),
                owner=owner,
            )
            if rng.random() < 0.3:
                continue
            services.safety_event_start_analysis(event=event, by=owner)
            services.safety_event_analysis_update(
                event=event,
                by=owner,
                team="Lead technologist, reading radiologist, department manager, PSO analyst",
                timeline="Event discovered; reported within the shift; reviewed at the weekly "
                "safety huddle.",
                causal_statements=f"{factors[0].replace('_', ' ').capitalize()} gap increased "
                "the likelihood of the event.",
            )
            if reporter is None:
                continue
            strength = rng.choice(["stronger", "intermediate", "weaker"])
            due = min(day + timedelta(days=rng.randint(20, 120)), today + timedelta(days=60))
            action = services.corrective_action_add(
                event=event,
                by=owner,
                description={
                    "stronger": "Hard stop in the ordering system until two identifiers match",
                    "intermediate": "Checklist at time-out, audited monthly",
                    "weaker": "Staff education at the next department meeting",
                }[strength],
                strength=strength,
                owner=reporter,
                due_on=due,
            )
            services.safety_event_plan_actions(event=event, by=owner)
            if due < today and rng.random() < 0.7:
                services.corrective_action_complete(action=action, by=owner, done_on=due)
                services.safety_event_close(event=event, by=owner)
    if len(pso) >= 2 and not Lesson.objects.exists():
        for title, kind, summary in [
            (
                "Two identifiers at the scanner stop wrong-patient exams",
                "wrong_patient",
                "Most wrong-patient near misses this year were orders placed on a record with a "
                "similar name. Every one was caught by a two-identifier check at the scanner; "
                "practices that added a hard stop in ordering saw none reach the patient.",
            ),
            (
                "Screen for prior contrast reactions before every injection",
                "contrast_reaction",
                "Reactions in patients with a prior reaction were the most preventable group. A "
                "screening question built into the technologist worklist, not a paper form, "
                "was the action most often judged stronger.",
            ),
        ]:
            lesson = services.lesson_create(
                by=pso[0], title=title, summary=summary, event_type=kind, year=year
            )
            services.lesson_submit(lesson=lesson, by=pso[0])
            services.lesson_review(lesson=lesson, by=pso[1], approve=True)
    if stdout is not None:
        stdout.write(f"Safety events: {created} reported.")
    return created

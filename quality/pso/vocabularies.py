"""The PSO's vocabularies (AHRQ Common Formats shape, SPEC section 6), declared once.

Codes are fixed here (files, the API and the export use them); the labels and descriptions of
event types and contributing factors are editable by administrators (models.EventType,
models.ContributingFactor), seeded from these lists by a data migration.
"""

from __future__ import annotations

from django.db import models

HARM_SCALE_VERSION = "AHRQ Common Formats Harm Scale v1.2"


class EventClass(models.TextChoices):
    INCIDENT = "incident", "Incident (reached the patient)"
    NEAR_MISS = "near_miss", "Near miss (did not reach the patient)"
    UNSAFE_CONDITION = "unsafe_condition", "Unsafe condition"


EVENT_TYPES = (
    ("contrast_reaction", "Contrast reaction"),
    ("extravasation", "Contrast extravasation"),
    ("wrong_patient", "Wrong patient"),
    ("wrong_exam", "Wrong exam"),
    ("wrong_side", "Wrong side or site"),
    ("diagnostic_discrepancy", "Diagnostic discrepancy"),
    ("critical_result_communication", "Critical result communication failure"),
    ("mri_safety", "MRI safety"),
    ("radiation_dose", "Radiation dose"),
    ("fall", "Fall"),
    ("medication", "Medication"),
    ("equipment_device", "Equipment or device"),
    ("procedural_complication", "Procedural complication"),
    ("other", "Other"),
)
EVENT_TYPE_CODES = tuple(code for code, _ in EVENT_TYPES)


class Harm(models.TextChoices):
    # Most to least severe, as the Harm Scale lists them.
    DEATH = "death", "Death"
    SEVERE = "severe", "Severe harm"
    MODERATE = "moderate", "Moderate harm"
    MILD = "mild", "Mild harm"
    NONE = "none", "No harm"
    UNKNOWN = "unknown", "Unknown"


class Preventability(models.TextChoices):
    PREVENTABLE = "preventable", "Preventable"
    POSSIBLY = "possibly_preventable", "Possibly preventable"
    NOT_PREVENTABLE = "not_preventable", "Not preventable"
    UNKNOWN = "unknown", "Unknown"


CONTRIBUTING_FACTORS = (
    ("communication", "Communication"),
    ("health_it", "Health IT"),
    ("staffing", "Staffing"),
    ("equipment", "Equipment"),
    ("policy", "Policy or procedure"),
    ("training", "Training"),
    ("patient_factors", "Patient factors"),
    ("environment", "Environment"),
    ("other", "Other"),
)
CONTRIBUTING_FACTOR_CODES = tuple(code for code, _ in CONTRIBUTING_FACTORS)

MODALITIES = ("CT", "MR", "US", "XR", "MG", "NM", "PET", "FL", "IR", "OTHER")
MODALITY_CHOICES = [(m, m) for m in MODALITIES]


class PatientClass(models.TextChoices):
    ED = "ED", "Emergency department"
    INPATIENT = "inpatient", "Inpatient"
    OUTPATIENT = "outpatient", "Outpatient"


class Likelihood(models.TextChoices):
    """How likely the event is to happen again (the risk matrix's other axis)."""

    RARE = "rare", "Rare"
    UNLIKELY = "unlikely", "Unlikely"
    POSSIBLE = "possible", "Possible"
    LIKELY = "likely", "Likely"
    ALMOST_CERTAIN = "almost_certain", "Almost certain"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"
    EXTREME = "extreme", "Extreme"


# Risk matrix (harm x likelihood -> severity). Harm scores: none 1, mild 2, moderate 3,
# severe 4, death 5; unknown is treated as moderate until known. Likelihood scores 1-5.
HARM_SCORE = {"none": 1, "mild": 2, "moderate": 3, "unknown": 3, "severe": 4, "death": 5}
LIKELIHOOD_SCORE = {"rare": 1, "unlikely": 2, "possible": 3, "likely": 4, "almost_certain": 5}


def risk_severity(harm: str, likelihood: str) -> str:
    """Severity of the risk matrix: the product of the two scores, banded 1-4 low, 5-9
    moderate, 10-16 high, 20-25 extreme."""
    score = HARM_SCORE[harm] * LIKELIHOOD_SCORE[likelihood]
    if score <= 4:
        return Severity.LOW
    if score <= 9:
        return Severity.MODERATE
    if score <= 16:
        return Severity.HIGH
    return Severity.EXTREME


class Status(models.TextChoices):
    REPORTED = "reported", "Reported"
    TRIAGED = "triaged", "Triaged"
    UNDER_ANALYSIS = "under_analysis", "Under analysis"
    ACTION_PLANNED = "action_planned", "Action planned"
    CLOSED = "closed", "Closed"


# Allowed moves of the workflow; reopening (closed -> under analysis) needs a reason.
TRANSITIONS = {
    Status.REPORTED: (Status.TRIAGED,),
    Status.TRIAGED: (Status.UNDER_ANALYSIS,),
    Status.UNDER_ANALYSIS: (Status.ACTION_PLANNED, Status.CLOSED),
    Status.ACTION_PLANNED: (Status.CLOSED, Status.UNDER_ANALYSIS),
    Status.CLOSED: (Status.UNDER_ANALYSIS,),
}


class ActionStrength(models.TextChoices):
    """RCA-squared action hierarchy."""

    STRONGER = "stronger", "Stronger (e.g. forcing functions, standardization, simplification)"
    INTERMEDIATE = "intermediate", "Intermediate (e.g. checklists, redundancy, software changes)"
    WEAKER = "weaker", "Weaker (e.g. training, new policy, warnings)"


class PeerReviewScore(models.TextChoices):
    # RADPEER 2016 major discrepancies.
    S2B = "2b", "2b: understandable miss, likely clinically significant"
    S3A = "3a", "3a: should be made most of the time, unlikely clinically significant"
    S3B = "3b", "3b: should be made most of the time, likely clinically significant"

"""Safety events (patient safety work product), their analysis and corrective actions, the log
of PSO staff reads, and the coalition's de-identified lessons.

Events, actions, transitions and access records belong to the reporting practice (the tenancy
manager: coalition/tenancy.py); PSO staff read them through the named escape hatch. Lessons are
coalition-wide and hold no practice identity.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from coalition.tenancy import PracticeOwnedModel
from practices.models import Practice
from quality.pso import vocabularies as V


class EventType(models.Model):
    """The event types of SPEC 6; codes fixed, labels and descriptions editable in the admin."""

    code = models.CharField(max_length=40, primary_key=True)
    label = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class ContributingFactor(models.Model):
    code = models.CharField(max_length=40, primary_key=True)
    label = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class SafetyEvent(PracticeOwnedModel):
    class Source(models.TextChoices):
        WEB = "web", "Report form"
        API = "api", "API"
        UPLOAD = "upload", "File upload"

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="safety_events")
    # What the practice and PSO staff call it: SE-<year>-<number within the practice and year>.
    reference = models.CharField(max_length=20)
    status = models.CharField(max_length=20, choices=V.Status.choices, default=V.Status.REPORTED)

    event_class = models.CharField(max_length=20, choices=V.EventClass.choices)
    event_type = models.ForeignKey(EventType, on_delete=models.PROTECT, related_name="+")
    harm = models.CharField(max_length=10, choices=V.Harm.choices)
    harm_scale_version = models.CharField(max_length=60, default=V.HARM_SCALE_VERSION)
    discovered_on = models.DateField()
    modality = models.CharField(max_length=10, choices=V.MODALITY_CHOICES)
    patient_class = models.CharField(max_length=12, choices=V.PatientClass.choices, blank=True)
    contributing_factors = models.ManyToManyField(ContributingFactor, blank=True, related_name="+")
    preventability = models.CharField(max_length=24, choices=V.Preventability.choices)
    narrative = models.TextField(blank=True, help_text="Checked for patient identifiers.")
    is_pswp = models.BooleanField(
        "patient safety work product", default=True, help_text="Collected within the PSES."
    )
    pses_entry_date = models.DateField(
        "entered the PSES on", null=True, blank=True, help_text="Patient safety evaluation system."
    )
    # A diagnostic discrepancy may point at the peer-review finding behind it: the provider's
    # pseudonym (Provider), the month and the RADPEER score.
    peer_review_provider = models.ForeignKey(
        "submissions.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    peer_review_month = models.DateField(null=True, blank=True)
    peer_review_score = models.CharField(
        max_length=2, choices=V.PeerReviewScore.choices, blank=True
    )

    # Who reported it: nobody when reported anonymously (then not even the audit trail has it).
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    anonymous = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    # Events of an upload count only while their submission is the current approved version.
    submission = models.ForeignKey(
        "submissions.Submission",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    reported_at = models.DateTimeField(auto_now_add=True)

    # Triage
    likelihood = models.CharField(max_length=16, choices=V.Likelihood.choices, blank=True)
    severity = models.CharField(max_length=10, choices=V.Severity.choices, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)

    # Root-cause analysis (RCA-squared): team, timeline, causal statements.
    rca_team = models.TextField(blank=True)
    rca_timeline = models.TextField(blank=True)
    rca_causal_statements = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_reason = models.TextField(
        blank=True, help_text="Why the event closes without a corrective action."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-discovered_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "reference"], name="safety_event_reference"
            ),
            models.CheckConstraint(
                condition=Q(status__in=V.Status.values), name="safety_event_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(event_class__in=V.EventClass.values), name="safety_event_class_valid"
            ),
            models.CheckConstraint(
                condition=Q(harm__in=V.Harm.values), name="safety_event_harm_valid"
            ),
            models.CheckConstraint(
                condition=Q(preventability__in=V.Preventability.values),
                name="safety_event_preventability_valid",
            ),
            models.CheckConstraint(
                condition=Q(modality__in=V.MODALITIES), name="safety_event_modality_valid"
            ),
            # An anonymous report stores no reporter.
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(reporter__isnull=True),
                name="safety_event_anonymous_has_no_reporter",
            ),
            # Only a diagnostic discrepancy links to peer review.
            models.CheckConstraint(
                condition=Q(event_type="diagnostic_discrepancy")
                | (Q(peer_review_provider__isnull=True) & Q(peer_review_score="")),
                name="safety_event_peer_review_only_diagnostic",
            ),
            # Triaged events have a severity and an owner.
            models.CheckConstraint(
                condition=Q(status="reported") | (~Q(severity="") & Q(owner__isnull=False)),
                name="safety_event_triaged_has_severity_and_owner",
            ),
        ]
        indexes = [models.Index(fields=["status", "reported_at"])]
        permissions = [
            ("manage_safety_events", "Can triage, analyze and close safety events (PSO staff)"),
            ("publish_lesson", "Can write, review and publish lessons learned"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def year(self) -> int:
        return self.discovered_on.year


class CorrectiveAction(PracticeOwnedModel):
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(SafetyEvent, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    strength = models.CharField(max_length=12, choices=V.ActionStrength.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(strength__in=V.ActionStrength.values), name="action_strength_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event.reference}: {self.description[:40]}"


class EventTransition(PracticeOwnedModel):
    """The audit of the workflow: each move, who made it (nobody for an anonymous report),
    when, and why (a reopening needs a reason)."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(SafetyEvent, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


class EventAccess(PracticeOwnedModel):
    """Every read of an event by PSO staff; the reporting practice sees this log."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(SafetyEvent, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    what = models.CharField(max_length=40, default="read")

    class Meta:
        ordering = ["-at", "-id"]


class Lesson(models.Model):
    """A de-identified lesson learned, written by PSO staff from an event, reviewed by another
    PSO staff member before members read it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    summary = models.TextField()
    recommendations = models.TextField(blank=True)
    event_type = models.ForeignKey(EventType, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    # PSO staff only: the event it was written from (never shown to members).
    source_event = models.ForeignKey(
        SafetyEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(reviewed_by__isnull=False),
                name="lesson_published_was_reviewed",
            ),
            models.CheckConstraint(
                condition=Q(reviewed_by__isnull=True) | ~Q(reviewed_by=models.F("written_by")),
                name="lesson_reviewer_is_not_author",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ReminderSent(models.Model):
    """One row per reminder e-mail sent, so the daily task sends each reminder once a day."""

    kind = models.CharField(max_length=30)  # overdue_action | untriaged_event
    object_id = models.BigIntegerField()
    sent_on = models.DateField()
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "sent_on"], name="pso_reminder_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} on {self.sent_on}"

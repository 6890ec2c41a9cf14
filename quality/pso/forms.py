"""Forms of the PSO pages: they check input shape; services decide."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from quality.pso import vocabularies as V
from quality.pso.models import ContributingFactor, EventType


def _blank(choices):
    return [("", "—"), *choices]


class ReportForm(forms.Form):
    """The one-minute report: what, how bad, when, where; the rest is optional."""

    event_type = forms.ChoiceField(label="Type of event", choices=())
    event_class = forms.ChoiceField(label="Did it reach the patient?", choices=V.EventClass.choices)
    harm = forms.ChoiceField(label="Harm to the patient", choices=V.Harm.choices)
    discovered_on = forms.DateField(
        label="Discovered on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Only the year is ever shown outside your practice.",
    )
    modality = forms.ChoiceField(choices=V.MODALITY_CHOICES)
    patient_class = forms.ChoiceField(
        label="Setting", choices=_blank(V.PatientClass.choices), required=False
    )
    preventability = forms.ChoiceField(choices=V.Preventability.choices, initial="unknown")
    contributing_factors = forms.MultipleChoiceField(
        choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )
    narrative = forms.CharField(
        label="What happened (no patient identifiers)",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="No names, dates other than a year, record or accession numbers, addresses "
        "or contact details: text with one is refused.",
    )
    anonymous = forms.BooleanField(
        label="Report anonymously",
        required=False,
        help_text="Your name is then stored nowhere, not even in the audit trail.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_type"].choices = list(
            EventType.objects.filter(active=True).values_list("code", "label")
        )
        self.fields["contributing_factors"].choices = list(
            ContributingFactor.objects.filter(active=True).values_list("code", "label")
        )
        self.fields["discovered_on"].initial = timezone.localdate()


def pso_staff_choices():
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__permissions__codename="manage_safety_events")
        .distinct()
        .order_by("email")
    )
    return users


class TriageForm(forms.Form):
    likelihood = forms.ChoiceField(label="Likelihood of recurrence", choices=V.Likelihood.choices)
    owner = forms.ModelChoiceField(queryset=None, label="Owner (PSO staff)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = pso_staff_choices()
        self.fields["owner"].label_from_instance = _person


def _person(user) -> str:
    return f"{user.full_name} ({user.email})" if user.full_name else user.email


class AnalysisForm(forms.Form):
    team = forms.CharField(
        label="RCA team",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Roles, not names of patients.",
    )
    timeline = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    causal_statements = forms.CharField(
        label="Causal statements",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text='"Cause -> effect -> event", one per line (RCA-squared rules).',
    )


class ActionForm(forms.Form):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    strength = forms.ChoiceField(choices=V.ActionStrength.choices)
    owner = forms.ModelChoiceField(queryset=None, label="Action owner")
    due_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners if owners is not None else pso_staff_choices()
        self.fields["owner"].label_from_instance = _person


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class LessonForm(forms.Form):
    title = forms.CharField(max_length=200)
    event_type = forms.ChoiceField(choices=())
    year = forms.IntegerField(min_value=2000, max_value=2100)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}))
    recommendations = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_type"].choices = list(EventType.objects.values_list("code", "label"))


class StaffQueueFilter(forms.Form):
    status = forms.ChoiceField(choices=_blank(V.Status.choices), required=False)
    event_type = forms.ChoiceField(choices=(), required=False)
    harm = forms.ChoiceField(choices=_blank(V.Harm.choices), required=False)
    severity = forms.ChoiceField(choices=_blank(V.Severity.choices), required=False)
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_type"].choices = _blank(
            list(EventType.objects.values_list("code", "label"))
        )

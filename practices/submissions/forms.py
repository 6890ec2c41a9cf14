"""Forms of the submission pages. They check input shape; services decide."""

from __future__ import annotations

from django import forms
from django.conf import settings

from practices.submissions import kinds, selectors
from practices.submissions.models import ReportingPeriod


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of file",
        choices=lambda: [(k.code, f"{k.label} ({k.code})") for k in kinds.all_kinds()],
    )
    year = forms.TypedChoiceField(label="Reporting year", coerce=int, choices=())
    file = forms.FileField(
        label="File",
        help_text="CSV (UTF-8 or Windows-1252; comma, semicolon or tab) or XLSX.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        periods = list(selectors.open_periods())
        self.fields["year"].choices = [(p.year, str(p.year)) for p in periods]
        if periods:
            self.fields["year"].initial = periods[0].year
        limit_mb = settings.SUBMISSION_MAX_UPLOAD_BYTES // 1_000_000
        self.fields["file"].help_text += f" At most {limit_mb} MB."

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.SUBMISSION_MAX_UPLOAD_BYTES:
            limit_mb = settings.SUBMISSION_MAX_UPLOAD_BYTES // 1_000_000
            raise forms.ValidationError(f"The file is larger than {limit_mb} MB.")
        return upload


class SubmitForm(forms.Form):
    note = forms.CharField(
        label="Note for the analysts (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example, why a warning is expected.",
    )


class ReviewForm(forms.Form):
    # No default: a decision must be chosen, never taken by pressing the button unread.
    action = forms.ChoiceField(
        choices=[("", "Choose…"), ("approve", "Approve"), ("return", "Return to the practice")]
    )
    comment = forms.CharField(
        label="Comment for the practice",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when returning: say what the practice should fix.",
    )


class PeriodCreateForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)
    deadline = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Optional."
    )


class PeriodUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=ReportingPeriod.Status.choices)
    deadline = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

"""Forms of the benchmark pages: filters (validated, so bad input answers 400 with a message),
the compute request, the rule settings and reference figures."""

from __future__ import annotations

from django import forms

from benchmarks.metrics import DIMENSION_CHOICES, metric_choices
from benchmarks.models import ReferenceFigure, RuleSettings
from benchmarks.rules import TARGET_DEFAULTS, RuleSet

FORMAT_CHOICES = [("csv", "CSV"), ("xlsx", "Excel (XLSX)")]


def _year_choices(years) -> list[tuple[str, str]]:
    return [(str(year), str(year)) for year in sorted(years, reverse=True)]


class CellFilterForm(forms.Form):
    year = forms.TypedChoiceField(coerce=int, required=False)
    metric = forms.ChoiceField(required=False)
    dimension = forms.ChoiceField(required=False, choices=DIMENSION_CHOICES)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _year_choices(years)
        self.fields["metric"].choices = metric_choices()


class PositionFilterForm(forms.Form):
    year = forms.TypedChoiceField(coerce=int, required=False)
    dimension = forms.ChoiceField(required=False, choices=DIMENSION_CHOICES)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _year_choices(years)


class ExportFormatForm(forms.Form):
    format = forms.ChoiceField(choices=FORMAT_CHOICES)

    def __init__(self, data=None, *args, **kwargs):
        # Without ?format= the file is CSV.
        if data is not None and "format" not in data:
            data = data.copy()
            data["format"] = "csv"
        super().__init__(data, *args, **kwargs)


class StaffCellFilterForm(forms.Form):
    STATUS_CHOICES = [
        ("", "All cells"),
        ("published", "Fully published"),
        ("partial", "Partly withheld"),
        ("suppressed", "Suppressed"),
    ]
    metric = forms.ChoiceField(required=False)
    dimension = forms.ChoiceField(required=False)
    status = forms.ChoiceField(required=False, choices=STATUS_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [("", "All metrics"), *metric_choices()]
        self.fields["dimension"].choices = [("", "All dimensions"), *DIMENSION_CHOICES]


class ComputeReleaseForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)


class RuleSettingsForm(forms.ModelForm):
    class Meta:
        model = RuleSettings
        fields = [
            "min_practices",
            "max_practice_share",
            "min_observations_central",
            "min_observations_tails",
            "publication_lag_months",
            "min_clinical_fte",
            *TARGET_DEFAULTS,
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left out of a post, a target keeps its current value.
        for name in TARGET_DEFAULTS:
            self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        for name in TARGET_DEFAULTS:
            if cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = getattr(self.instance, name, None) or TARGET_DEFAULTS[name]
        if not self.errors:
            problems = RuleSet(
                **{name: cleaned[name] for name in self.Meta.fields}
            ).floor_violations()
            for problem in problems:
                self.add_error(None, problem)
        return cleaned


class ReferenceFigureForm(forms.ModelForm):
    metric = forms.ChoiceField()
    url = forms.URLField(required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = ReferenceFigure
        fields = ["metric", "statistic", "value", "source", "survey_year", "url", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = metric_choices()

"""Forms of the economics page: a scenario's settings, an ask, the brief's format. Field errors
name the field; the services check the rest (withheld figures, FTE left above zero)."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from benchmarks.economics.models import ScenarioVersion, SupportAsk

BRIEF_FORMATS = [("pdf", "PDF"), ("xlsx", "Excel (XLSX)"), ("json", "JSON")]


class ScenarioForm(forms.Form):
    name = forms.CharField(max_length=80)
    comp_basis = forms.ChoiceField(
        label="Provider compensation", choices=ScenarioVersion.CompBasis.choices, initial="actual"
    )
    comp_cell = forms.ChoiceField(
        label="Coalition figure from", choices=ScenarioVersion.CompCell.choices, initial="auto"
    )
    revenue_per_rvu_change_pct = forms.DecimalField(
        label="Revenue per RVU change (%)",
        max_digits=7,
        decimal_places=2,
        initial=Decimal("0"),
        min_value=Decimal("-99.99"),
        max_value=Decimal("999.99"),
    )
    fte_change = forms.DecimalField(
        label="Radiologist FTE change", max_digits=8, decimal_places=2, initial=Decimal("0")
    )
    operating_expense_change = forms.DecimalField(
        label="Operating expense change ($)", max_digits=16, decimal_places=2, initial=Decimal("0")
    )
    note = forms.CharField(max_length=300, required=False)


class AskForm(forms.Form):
    category = forms.ChoiceField(choices=SupportAsk.Category.choices)
    amount = forms.DecimalField(
        label="Amount ($)", max_digits=16, decimal_places=2, min_value=Decimal("0.01")
    )
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        # The page holds the scenario form too: ids of its own keep each label on its field.
        kwargs.setdefault("auto_id", "ask_%s")
        super().__init__(*args, **kwargs)


class BriefForm(forms.Form):
    format = forms.ChoiceField(choices=BRIEF_FORMATS, required=False)
    scenario = forms.CharField(max_length=80, required=False)


def errors_text(form) -> str:
    labels = {name: (field.label or name) for name, field in form.fields.items()}
    return "; ".join(
        f"{labels.get(name, name) if name != '__all__' else 'Form'}: {' '.join(errors)}"
        for name, errors in form.errors.items()
    )

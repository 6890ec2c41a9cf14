"""Forms of the purchasing pages. They only shape input; services.py checks and writes."""

from __future__ import annotations

from datetime import date

from django import forms

from coalition.purchasing import selectors
from coalition.purchasing.models import Contract, Enrollment, Tier, Vendor
from practices.models import Practice

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class VendorForm(forms.ModelForm):
    class Meta:
        model = Vendor
        fields = ["name", "website", "contact_email", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class ContractForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = [
            "number",
            "vendor",
            "title",
            "category",
            "starts_on",
            "ends_on",
            "admin_fee_pct",
            "admin_fee_disclosed_amount",
            "written_agreement",
            "description",
        ]
        widgets = {
            "starts_on": DATE_INPUT,
            "ends_on": DATE_INPUT,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def _post_clean(self):
        # Validation is the service's (it also checks the term against enrollments).
        pass


class TierForm(forms.ModelForm):
    class Meta:
        model = Tier
        fields = ["name", "min_annual_commitment", "discount_pct"]

    def _post_clean(self):
        pass


class EnrollmentForm(forms.ModelForm):
    class Meta:
        model = Enrollment
        fields = ["practice", "contract", "tier", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE_INPUT, "ends_on": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practice"].queryset = Practice.objects.filter(is_active=True).order_by("name")
        self.fields["contract"].queryset = Contract.objects.select_related("vendor")
        self.fields["tier"].queryset = Tier.objects.select_related("contract")

    def _post_clean(self):
        pass


class ContractImportForm(forms.Form):
    file = forms.FileField(help_text="CSV or XLSX, one row per tier (see the documentation).")


class PurchaseForm(forms.Form):
    """A purchase entered on the site. The practice is the page's, never a field."""

    contract = forms.ModelChoiceField(queryset=Contract.objects.none())
    purchased_on = forms.DateField(widget=DATE_INPUT, label="Purchased on")
    item = forms.CharField(max_length=200)
    quantity = forms.DecimalField(max_digits=12, decimal_places=3)
    list_price = forms.DecimalField(max_digits=14, decimal_places=2, label="List price (unit)")
    price_paid = forms.DecimalField(max_digits=14, decimal_places=2, label="Price paid (unit)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = Contract.objects.select_related("vendor").order_by(
            "number"
        )


class ReportFilterForm(forms.Form):
    by = forms.ChoiceField(
        choices=[(g, g.title()) for g in selectors.GROUPINGS], required=False, initial="vendor"
    )
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)

    def values(self, default_year: int | None = None) -> tuple[str, int | None]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("by") or "vendor", data.get("year") or default_year


def current_year() -> int:
    return date.today().year

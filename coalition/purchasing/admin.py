"""Django admin for administrators and purchasing staff. The forms run the same checks as the
services (tier order, enrollment dates inside the term, no overlap, fee disclosure)."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from coalition.admin import PracticeOwnedAdmin
from coalition.purchasing import services
from coalition.purchasing.models import Alert, Contract, Enrollment, PurchaseRecord, Tier, Vendor


class ContractAdminForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = [
            "number",
            "vendor",
            "title",
            "category",
            "description",
            "starts_on",
            "ends_on",
            "admin_fee_pct",
            "admin_fee_disclosed_amount",
            "written_agreement",
        ]

    def clean(self):
        data = super().clean()
        if not self.errors:
            services._check_contract(self.instance)
        return data


class TierInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        tiers = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if form.cleaned_data.get("DELETE"):
                continue
            data = form.cleaned_data
            if data.get("rank") is None or data.get("min_annual_commitment") is None:
                continue
            tiers.append((data["rank"], data.get("name", ""), data["min_annual_commitment"]))
        problems = services.tier_order_problems(tiers)
        if problems:
            raise forms.ValidationError(problems)


class TierInline(admin.TabularInline):
    model = Tier
    formset = TierInlineFormSet
    extra = 0


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ["name", "contact_email", "website"]
    search_fields = ["name"]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    form = ContractAdminForm
    list_display = ["number", "vendor", "category", "starts_on", "ends_on", "admin_fee_pct"]
    list_filter = ["category", "vendor"]
    search_fields = ["number", "title", "vendor__name"]
    inlines = [TierInline]


class EnrollmentAdminForm(forms.ModelForm):
    class Meta:
        model = Enrollment
        fields = ["practice", "contract", "tier", "starts_on", "ends_on"]

    def clean(self):
        data = super().clean()
        if not self.errors and self.instance.contract_id and self.instance.practice_id:
            services._check_enrollment(self.instance)
        return data


@admin.register(Enrollment)
class EnrollmentAdmin(PracticeOwnedAdmin):
    form = EnrollmentAdminForm
    list_display = ["practice", "contract", "tier", "starts_on", "ends_on"]
    list_filter = ["contract"]
    list_select_related = ["practice", "contract", "tier"]


@admin.register(PurchaseRecord)
class PurchaseRecordAdmin(PracticeOwnedAdmin):
    list_display = ["purchased_on", "practice", "contract", "item", "quantity", "price_paid"]
    list_filter = ["contract", "source"]
    list_select_related = ["practice", "contract"]
    raw_id_fields = ["submission", "entered_by"]
    date_hierarchy = "purchased_on"


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "subject", "practice", "emailed_at"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in Alert._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

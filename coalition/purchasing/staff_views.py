"""Purchasing staff pages (/staff/purchasing/): reports across practices, tier tracking, alerts,
and the management of vendors, contracts, tiers and enrollments. Guarded by the permissions of
the `purchasing` group; analysts and PSO staff get 403 like on every other staff page."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView

from coalition.purchasing import charts, exports, selectors, services
from coalition.purchasing.forms import (
    ContractForm,
    ContractImportForm,
    EnrollmentForm,
    ReportFilterForm,
    TierForm,
    VendorForm,
)
from coalition.purchasing.models import Contract, Enrollment, PurchaseRecord, Tier, Vendor


class StaffView(LoginRequiredMixin, PermissionRequiredMixin):
    raise_exception = True
    permission_required = "purchasing.view_purchasing_reports"
    # Permission needed to POST on the page.
    write_permission: str = ""

    def post_allowed(self) -> None:
        if not self.write_permission or not self.request.user.has_perm(self.write_permission):
            raise PermissionDenied


def _errors_to_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            for problem in problems:
                form.add_error(name if name in form.fields else None, problem)
    else:
        for problem in error.messages:
            form.add_error(None, problem)


class ReportView(StaffView, TemplateView):
    """Spend, savings and admin fees by practice, vendor, category or contract and year."""

    template_name = "purchasing/staff/reports.html"

    def get(self, request, *args, **kwargs):
        form = ReportFilterForm(request.GET or None)
        purchases = PurchaseRecord.objects.across_practices()
        if form.is_bound and not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, rows=[]), status=400)
        years = selectors.purchase_years(purchases=purchases)
        by, year = form.values(default_year=years[0] if years else date.today().year)
        rows = selectors.spend_report(purchases=purchases, by=by, year=year)
        file_format = request.GET.get("format", "")
        if file_format:
            if file_format not in exports.FORMATS:
                return HttpResponseBadRequest("format must be csv or xlsx.")
            return exports.file_response(
                [r.as_dict() for r in rows],
                selectors.REPORT_COLUMNS,
                file_format=file_format,
                filename=f"purchasing-{by}-{year}",
                title=f"purchasing by {by}",
            )
        return self.render_to_response(
            self.get_context_data(
                form=form,
                rows=rows,
                by=by,
                year=year,
                years=years,
                totals=selectors.report_totals(rows),
                chart=charts.spend_chart(
                    [(r.group, r.spend, r.savings) for r in rows[:25]],
                    chart_id="staff-spend",
                    title=f"Spend and savings by {by}, {year}",
                    description="Bars: members' spend, then their savings against list prices.",
                ),
                groupings=selectors.GROUPINGS,
            )
        )


class TierTrackingView(StaffView, TemplateView):
    template_name = "purchasing/staff/tiers.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            statuses=selectors.tier_tracking(enrollments=Enrollment.objects.across_practices()),
            **kwargs,
        )


class AlertListView(StaffView, TemplateView):
    template_name = "purchasing/staff/alerts.html"
    permission_required = "purchasing.view_alert"

    def get_context_data(self, **kwargs):
        return super().get_context_data(alerts=selectors.staff_alerts(), **kwargs)


# --- management -----------------------------------------------------------------------------------
class VendorListView(StaffView, TemplateView):
    template_name = "purchasing/staff/vendors.html"
    permission_required = "purchasing.view_vendor"
    write_permission = "purchasing.add_vendor"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", VendorForm())
        return super().get_context_data(vendors=Vendor.objects.order_by("name"), **kwargs)

    def post(self, request, *args, **kwargs):
        self.post_allowed()
        form = VendorForm(request.POST)
        if form.is_valid():
            try:
                vendor = services.vendor_create(**form.cleaned_data)
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, f"Vendor {vendor} added.")
                return redirect("staff_purchasing:vendors")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class VendorEditView(StaffView, TemplateView):
    template_name = "purchasing/staff/edit.html"
    permission_required = "purchasing.view_vendor"
    write_permission = "purchasing.change_vendor"

    def get_context_data(self, **kwargs):
        vendor = get_object_or_404(Vendor, pk=self.kwargs["vendor_id"])
        kwargs.setdefault("form", VendorForm(instance=vendor))
        return super().get_context_data(
            title=f"Vendor {vendor}", back="staff_purchasing:vendors", **kwargs
        )

    def post(self, request, *args, **kwargs):
        self.post_allowed()
        vendor = get_object_or_404(Vendor, pk=kwargs["vendor_id"])
        form = VendorForm(request.POST, instance=Vendor.objects.get(pk=vendor.pk))
        if form.is_valid():
            try:
                services.vendor_update(vendor=vendor, **form.cleaned_data)
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, f"Vendor {vendor} saved.")
                return redirect("staff_purchasing:vendors")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ContractListView(StaffView, TemplateView):
    template_name = "purchasing/staff/contracts.html"
    permission_required = "purchasing.view_contract"
    write_permission = "purchasing.add_contract"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", ContractForm())
        kwargs.setdefault("import_form", ContractImportForm())
        return super().get_context_data(contracts=selectors.catalog(include_expired=True), **kwargs)

    def post(self, request, *args, **kwargs):
        self.post_allowed()
        if "import" in request.POST:
            return self._import(request)
        form = ContractForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                contract = services.contract_create(**form.cleaned_data)
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, f"Contract {contract.number} added; now add its tiers.")
                return redirect("staff_purchasing:contract", contract_id=contract.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def _import(self, request):
        form = ContractImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(import_form=form), status=400)
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "catalog"
            with path.open("wb") as target:
                for chunk in upload.chunks():
                    target.write(chunk)
            outcome = services.contracts_import(path=path)
        if not outcome.ok:
            return self.render_to_response(
                self.get_context_data(import_form=form, import_issues=outcome.issues), status=400
            )
        messages.success(
            request,
            f"Catalog imported: {outcome.contracts_created} contracts added, "
            f"{outcome.contracts_updated} changed, {outcome.unchanged} unchanged; "
            f"{outcome.tiers_created} tiers added, {outcome.tiers_updated} changed.",
        )
        return redirect("staff_purchasing:contracts")


class ContractEditView(StaffView, TemplateView):
    """A contract's terms, its tiers (add one) and its enrollments."""

    template_name = "purchasing/staff/contract.html"
    permission_required = "purchasing.view_contract"

    def contract(self) -> Contract:
        return get_object_or_404(
            Contract.objects.select_related("vendor"), pk=self.kwargs["contract_id"]
        )

    def get_context_data(self, **kwargs):
        contract = kwargs.pop("contract", None) or self.contract()
        kwargs.setdefault("form", ContractForm(instance=contract))
        kwargs.setdefault("tier_form", TierForm())
        return super().get_context_data(
            contract=contract,
            tiers=contract.tiers.order_by("rank"),
            enrollments=Enrollment.objects.across_practices()
            .filter(contract=contract)
            .select_related("practice", "tier")
            .order_by("practice__name", "starts_on"),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        contract = self.contract()
        if "add_tier" in request.POST:
            self.write_permission = "purchasing.add_tier"
            self.post_allowed()
            tier_form = TierForm(request.POST)
            if tier_form.is_valid():
                try:
                    services.tier_create(contract=contract, **tier_form.cleaned_data)
                except ValidationError as error:
                    _errors_to_form(tier_form, error)
                else:
                    messages.success(request, "Tier added.")
                    return redirect("staff_purchasing:contract", contract_id=contract.pk)
            return self.render_to_response(
                self.get_context_data(contract=contract, tier_form=tier_form), status=400
            )
        self.write_permission = "purchasing.change_contract"
        self.post_allowed()
        form = ContractForm(
            request.POST, request.FILES, instance=Contract.objects.get(pk=contract.pk)
        )
        if form.is_valid():
            try:
                services.contract_update(contract=contract, **form.cleaned_data)
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, f"Contract {contract.number} saved.")
                return redirect("staff_purchasing:contract", contract_id=contract.pk)
        return self.render_to_response(
            self.get_context_data(contract=contract, form=form), status=400
        )


class AgreementDownloadView(StaffView, TemplateView):
    permission_required = "purchasing.view_contract"

    def get(self, request, *args, **kwargs):
        contract = get_object_or_404(Contract, pk=kwargs["contract_id"])
        if not contract.written_agreement:
            raise Http404("No written agreement is attached to this contract.")
        name = Path(contract.written_agreement.name).name
        return FileResponse(
            contract.written_agreement.open("rb"), as_attachment=True, filename=name
        )


class TierEditView(StaffView, TemplateView):
    template_name = "purchasing/staff/edit.html"
    permission_required = "purchasing.view_tier"
    write_permission = "purchasing.change_tier"

    def get_context_data(self, **kwargs):
        tier = get_object_or_404(Tier.objects.select_related("contract"), pk=self.kwargs["tier_id"])
        kwargs.setdefault("form", TierForm(instance=tier))
        return super().get_context_data(
            title=f"Tier {tier}",
            tier=tier,
            can_delete=self.request.user.has_perm("purchasing.delete_tier"),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        tier = get_object_or_404(Tier.objects.select_related("contract"), pk=kwargs["tier_id"])
        if "delete" in request.POST:
            if not request.user.has_perm("purchasing.delete_tier"):
                raise PermissionDenied
            try:
                services.tier_delete(tier=tier)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("staff_purchasing:tier", tier_id=tier.pk)
            messages.success(request, "Tier deleted.")
            return redirect("staff_purchasing:contract", contract_id=tier.contract_id)
        self.post_allowed()
        form = TierForm(request.POST, instance=Tier.objects.get(pk=tier.pk))
        if form.is_valid():
            try:
                services.tier_update(tier=tier, **form.cleaned_data)
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, "Tier saved.")
                return redirect("staff_purchasing:contract", contract_id=tier.contract_id)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class EnrollmentListView(StaffView, TemplateView):
    template_name = "purchasing/staff/enrollments.html"
    permission_required = "purchasing.view_enrollment"
    write_permission = "purchasing.add_enrollment"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", EnrollmentForm())
        return super().get_context_data(
            enrollments=Enrollment.objects.across_practices()
            .select_related("practice", "contract__vendor", "tier")
            .order_by("practice__name", "contract__number", "starts_on"),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        self.post_allowed()
        form = EnrollmentForm(request.POST)
        if form.is_valid():
            try:
                services.enrollment_create(**form.cleaned_data)
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, "Enrollment added.")
                return redirect("staff_purchasing:enrollments")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class EnrollmentEditView(StaffView, TemplateView):
    template_name = "purchasing/staff/edit.html"
    permission_required = "purchasing.view_enrollment"
    write_permission = "purchasing.change_enrollment"

    def enrollment(self) -> Enrollment:
        return get_object_or_404(
            Enrollment.objects.across_practices().select_related("practice", "contract"),
            pk=self.kwargs["enrollment_id"],
        )

    def get_context_data(self, **kwargs):
        enrollment = self.enrollment()
        kwargs.setdefault("form", EnrollmentForm(instance=enrollment))
        return super().get_context_data(
            title=f"Enrollment of {enrollment.practice} in {enrollment.contract.number}",
            back="staff_purchasing:enrollments",
            can_delete=self.request.user.has_perm("purchasing.delete_enrollment"),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        enrollment = self.enrollment()
        if "delete" in request.POST:
            if not request.user.has_perm("purchasing.delete_enrollment"):
                raise PermissionDenied
            services.enrollment_delete(enrollment=enrollment)
            messages.success(request, "Enrollment deleted.")
            return redirect("staff_purchasing:enrollments")
        self.post_allowed()
        form = EnrollmentForm(request.POST, instance=self.enrollment())
        if form.is_valid():
            try:
                services.enrollment_update(enrollment=enrollment, **form.cleaned_data)
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, "Enrollment saved.")
                return redirect("staff_purchasing:enrollments")
        return self.render_to_response(self.get_context_data(form=form), status=400)

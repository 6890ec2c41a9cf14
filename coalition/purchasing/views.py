"""Member pages of group purchasing: the contract catalog (any member, and purchasing staff) and
the practice's own purchasing pages (spend and savings, tiers, purchases, prices, the fee
disclosure), which go through the one practice-scoped base."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import TemplateView

from coalition import spreadsheets
from coalition.purchasing import charts, disclosure, selectors, services
from coalition.purchasing.forms import PurchaseForm, ReportFilterForm
from coalition.purchasing.models import Category, Contract, PurchaseRecord
from coalition.scoping import PracticeScopedView
from practices.models import Role, role_at_least
from practices.selectors import memberships_of_user

PURCHASES_PER_PAGE = 50


def can_read_catalog(user) -> bool:
    """Members of an active practice and purchasing staff; not analysts or PSO staff."""
    if user.has_perm("purchasing.view_contract"):
        return True
    return any(m.practice.is_active for m in memberships_of_user(user=user))


class CatalogAccessMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_read_catalog(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class CatalogView(CatalogAccessMixin, TemplateView):
    template_name = "purchasing/catalog.html"

    def get_context_data(self, **kwargs):
        category = self.request.GET.get("category", "")
        if category not in Category.values:
            category = ""
        search = self.request.GET.get("q", "").strip()[:100]
        return super().get_context_data(
            contracts=selectors.catalog(category=category, search=search),
            categories=Category.choices,
            category=category,
            search=search,
            memberships=[
                m for m in memberships_of_user(user=self.request.user) if m.practice.is_active
            ],
            **kwargs,
        )


class ContractView(CatalogAccessMixin, TemplateView):
    template_name = "purchasing/contract.html"

    def get_context_data(self, **kwargs):
        contract = get_object_or_404(
            Contract.objects.select_related("vendor"), pk=self.kwargs["contract_id"]
        )
        year = date.today().year
        prices = selectors.price_benchmarks(year=year, contract=contract)
        if not any(not c.suppressed for c in prices):
            prices = selectors.price_benchmarks(year=year - 1, contract=contract)
            year -= 1
        return super().get_context_data(
            contract=contract,
            tiers=contract.tiers.order_by("rank"),
            prices=prices,
            price_year=year,
            **kwargs,
        )


# --- the practice's own pages ---------------------------------------------------------------------
class PracticePurchasingView(PracticeScopedView):
    scoped_model = PurchaseRecord

    def purchases(self):
        return self.get_queryset()


class OverviewView(PracticePurchasingView, TemplateView):
    """Spend and savings by vendor, category and contract for a year; tiers; alerts."""

    template_name = "purchasing/overview.html"

    def get(self, request, *args, **kwargs):
        form = ReportFilterForm(request.GET or None)
        if form.is_bound and not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, rows=[]), status=400)
        years = selectors.purchase_years(purchases=self.purchases())
        by, year = form.values(default_year=years[0] if years else date.today().year)
        rows = selectors.spend_report(purchases=self.purchases(), by=by, year=year)
        return self.render_to_response(
            self.get_context_data(form=form, rows=rows, by=by, year=year, years=years)
        )

    def get_context_data(self, **kwargs):
        rows = kwargs.get("rows", [])
        by = kwargs.get("by", "vendor")
        context = super().get_context_data(**kwargs)
        context.update(
            totals=selectors.report_totals(rows),
            chart=charts.spend_chart(
                [(r.group, r.spend, r.savings) for r in rows],
                chart_id="spend",
                title=f"Spend and savings by {by}, {kwargs.get('year', '')}",
                description="Bars: what the practice paid, then what it saved against list prices.",
            ),
            tiers=selectors.tier_tracking(enrollments=self.practice.enrollments.all()),
            alerts=selectors.practice_alerts(practice=self.practice),
            groupings=selectors.GROUPINGS,
        )
        return context


class PurchasesView(PracticePurchasingView, TemplateView):
    """The practice's purchase records, and the form that enters one (submitters)."""

    template_name = "purchasing/purchases.html"
    write_role = Role.SUBMITTER

    def get_context_data(self, **kwargs):
        rows = (
            self.get_queryset().select_related("contract__vendor").order_by("-purchased_on", "-pk")
        )
        page = Paginator(rows, PURCHASES_PER_PAGE).get_page(self.request.GET.get("page"))
        kwargs.setdefault("form", PurchaseForm())
        return super().get_context_data(
            page_obj=page,
            can_enter=role_at_least(self.role, Role.SUBMITTER),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = PurchaseForm(request.POST)
        if form.is_valid():
            try:
                result = services.purchase_record_create(
                    practice=self.practice, user=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                for field_name, problems in error.message_dict.items():
                    for problem in problems:
                        form.add_error(field_name if field_name in form.fields else None, problem)
            else:
                messages.success(request, f"Purchase of {result.record.item} recorded.")
                for _column, _code, message in result.warnings:
                    messages.warning(request, f"Warning: {message}")
                return redirect("practice_purchasing:purchases", practice_slug=self.practice.slug)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PricesView(PracticePurchasingView, TemplateView):
    """Where the practice's prices stand among members' for the same contract items."""

    template_name = "purchasing/prices.html"

    def get_context_data(self, **kwargs):
        years = selectors.purchase_years(purchases=self.purchases())
        try:
            year = int(self.request.GET.get("year") or (years[0] if years else date.today().year))
        except ValueError:
            raise Http404 from None
        return super().get_context_data(
            cells=selectors.price_benchmarks(year=year, practice=self.practice, only_own=True),
            year=year,
            years=years,
            **kwargs,
        )


class DisclosureView(PracticePurchasingView, View):
    """The annual admin-fee disclosure as PDF or XLSX."""

    def get(self, request, *args, **kwargs):
        file_format = request.GET.get("format", "pdf")
        raw_year = request.GET.get("year", "")
        if file_format not in ("pdf", "xlsx"):
            return HttpResponseBadRequest("format must be pdf or xlsx.")
        if raw_year and not (raw_year.isdigit() and 2000 <= int(raw_year) <= 2100):
            return HttpResponseBadRequest("year must be a four-digit year.")
        year = int(raw_year) if raw_year else date.today().year - 1
        statement = selectors.admin_fee_disclosure(practice=self.practice, year=year)
        if file_format == "pdf":
            content, content_type = disclosure.pdf_bytes(statement), "application/pdf"
        else:
            content = disclosure.xlsx_bytes(statement)
            content_type = spreadsheets.CONTENT_TYPES["xlsx"]
        response = HttpResponse(content, content_type=content_type)
        name = f"admin-fee-disclosure-{self.practice.slug}-{year}.{file_format}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

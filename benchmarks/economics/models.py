"""A practice's saved negotiation scenarios and itemized hospital-support asks.

All rows belong to one practice (PracticeOwnedModel: queries must say whose rows they want).
A scenario is a name per practice-year; what it computes is kept in versions: every change of
its settings, and every change of the inputs it is computed from (the approved financials
submission version, the published benchmark release), adds a version, so the figures a
practice once handed over stay on record.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from coalition.tenancy import PracticeOwnedModel

MONEY = {"max_digits": 16, "decimal_places": 2}
# Results are kept unrounded enough to recompute the cents exactly.
RESULT = {"max_digits": 24, "decimal_places": 6}


class EconomicsScenario(PracticeOwnedModel):
    practice = models.ForeignKey(
        "practices.Practice", on_delete=models.PROTECT, related_name="economics_scenarios"
    )
    year = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["year", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "year", "name"], name="economics_scenario_unique_name"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="economics_scenario_year"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="economics_scenario_named"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class ScenarioVersion(PracticeOwnedModel):
    class CompBasis(models.TextChoices):
        ACTUAL = "actual", "The practice's own provider expense"
        P50 = "p50", "Coalition median compensation per FTE"
        P75 = "p75", "Coalition 75th percentile compensation per FTE"

    class CompCell(models.TextChoices):
        AUTO = "auto", "The practice's size band when published, else all practices"
        SIZE_BAND = "practice_size", "The practice's size band only"
        ALL = "all", "All practices"

    practice = models.ForeignKey(
        "practices.Practice", on_delete=models.PROTECT, related_name="economics_scenario_versions"
    )
    scenario = models.ForeignKey(
        EconomicsScenario, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    # --- the user's settings
    comp_basis = models.CharField(
        max_length=10, choices=CompBasis.choices, default=CompBasis.ACTUAL
    )
    comp_cell = models.CharField(max_length=16, choices=CompCell.choices, default=CompCell.AUTO)
    revenue_per_rvu_change_pct = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    fte_change = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    operating_expense_change = models.DecimalField(default=0, **MONEY)
    note = models.CharField(max_length=300, blank=True)
    # --- the inputs it was computed from
    financials_submission = models.ForeignKey(
        "submissions.Submission", on_delete=models.PROTECT, related_name="+"
    )
    financials_version = models.PositiveIntegerField()
    release = models.ForeignKey(
        "benchmarks.BenchmarkRelease",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    comp_dimension = models.CharField(max_length=20, blank=True)
    comp_value = models.CharField(max_length=40, blank=True)
    comp_per_fte = models.DecimalField(null=True, blank=True, max_digits=20, decimal_places=4)
    # --- what it gave
    total_revenue = models.DecimalField(**RESULT)
    provider_expense = models.DecimalField(**RESULT)
    operating_expense = models.DecimalField(**RESULT)
    radiologist_fte = models.DecimalField(max_digits=10, decimal_places=2)
    deficit = models.DecimalField(**RESULT)
    support_needed_per_fte = models.DecimalField(**RESULT)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["scenario", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["scenario", "number"], name="economics_scenario_version_unique"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="economics_version_number"),
            models.CheckConstraint(
                condition=Q(comp_basis__in=["actual", "p50", "p75"]),
                name="economics_version_comp_basis",
            ),
            models.CheckConstraint(
                condition=Q(comp_cell__in=["auto", "practice_size", "all"]),
                name="economics_version_comp_cell",
            ),
            models.CheckConstraint(
                condition=Q(radiologist_fte__gt=0), name="economics_version_fte_positive"
            ),
            models.CheckConstraint(
                condition=Q(revenue_per_rvu_change_pct__gt=-100),
                name="economics_version_revenue_change",
            ),
            # A coalition basis needs the published figure it used.
            models.CheckConstraint(
                condition=Q(comp_basis="actual")
                | (Q(release__isnull=False) & Q(comp_per_fte__isnull=False)),
                name="economics_version_coalition_basis_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scenario_id} v{self.number}"

    def settings_key(self) -> tuple:
        return (
            self.comp_basis,
            self.comp_cell,
            self.revenue_per_rvu_change_pct,
            self.fte_change,
            self.operating_expense_change,
            self.note,
        )


class SupportAsk(PracticeOwnedModel):
    """One of the piecemeal asks (SPEC section 5), itemized per practice-year."""

    class Category(models.TextChoices):
        RECRUITMENT_SIGNING_BONUS = "recruitment_signing_bonus", "Recruitment: signing bonus"
        RECRUITMENT_RELOCATION = "recruitment_relocation", "Recruitment: relocation"
        INTERVENTIONAL_CALL = "interventional_call", "Interventional call coverage"
        ADMINISTRATIVE_ROLE = "administrative_role", "Administrative and medical-director roles"
        EMERGENCY_COVERAGE = "emergency_coverage", "Emergency coverage of low- or no-pay work"
        APP_SUPPORT = "app_support", "Advanced practice provider support"

    practice = models.ForeignKey(
        "practices.Practice", on_delete=models.PROTECT, related_name="economics_asks"
    )
    year = models.PositiveSmallIntegerField()
    category = models.CharField(max_length=40, choices=Category.choices)
    amount = models.DecimalField(**MONEY)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["year", "category", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="economics_ask_positive"),
            models.CheckConstraint(
                condition=Q(
                    category__in=[
                        "recruitment_signing_bonus",
                        "recruitment_relocation",
                        "interventional_call",
                        "administrative_role",
                        "emergency_coverage",
                        "app_support",
                    ]
                ),
                name="economics_ask_category",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="economics_ask_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount}"

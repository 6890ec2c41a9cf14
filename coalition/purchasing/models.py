"""Group purchasing (SPEC section 7): vendors, contracts and their tiers, practices' enrollments,
purchase records and the alerts the scheduled task sends.

Money is Decimal. Percentages are stored as percent (3.000 means 3%). The invariants that one
row can state are database constraints; the ones that span rows (tier order, an enrollment's
tier belonging to its contract, dates inside the contract's term) are checked in services.py,
and overlapping enrollments are refused by a PostgreSQL exclusion constraint."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeBoundary, RangeOperators
from django.db import models
from django.db.models import Func, Q

from coalition.purchasing.storage import agreement_storage
from coalition.tenancy import PracticeOwnedModel

# The GPO safe harbor (42 CFR 1001.952(j)): fees of 3% or less, or the amount stated.
SAFE_HARBOR_FEE_PCT = Decimal("3")


class Category(models.TextChoices):
    EQUIPMENT = "equipment", "Equipment"
    IT = "it", "IT"
    SUPPLIES = "supplies", "Supplies"
    CONTRAST = "contrast", "Contrast"
    SERVICES = "services", "Services"
    INSURANCE = "insurance", "Insurance"


class DateRange(Func):
    """daterange(start, end, '[]'): both days included."""

    function = "DATERANGE"
    output_field = DateRangeField()


class Vendor(models.Model):
    name = models.CharField(max_length=200, unique=True)
    website = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contract(models.Model):
    number = models.CharField(max_length=60, unique=True)
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="contracts")
    title = models.CharField(max_length=200, blank=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    description = models.TextField(blank=True)
    starts_on = models.DateField("term starts")
    ends_on = models.DateField("term ends")
    admin_fee_pct = models.DecimalField(
        "administrative fee (%)",
        max_digits=6,
        decimal_places=3,
        help_text="What the vendor pays the coalition, as a percent of members' spend.",
    )
    admin_fee_disclosed_amount = models.DecimalField(
        "disclosed fee amount (US dollars a year, at most)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Required when the fee is above 3%: the amount (or the most) the vendor may pay.",
    )
    written_agreement = models.FileField(
        storage=agreement_storage, upload_to="agreements/%Y/", max_length=300, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["vendor__name", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="contract_term_ordered"
            ),
            models.CheckConstraint(
                condition=Q(admin_fee_pct__gte=0, admin_fee_pct__lte=100),
                name="contract_admin_fee_pct_range",
            ),
            # Above the safe-harbor 3% the agreement must state the amount: it is disclosed.
            models.CheckConstraint(
                condition=Q(admin_fee_pct__lte=SAFE_HARBOR_FEE_PCT)
                | Q(admin_fee_disclosed_amount__isnull=False),
                name="contract_fee_above_3pct_disclosed",
            ),
            models.CheckConstraint(
                condition=Q(admin_fee_disclosed_amount__isnull=True)
                | Q(admin_fee_disclosed_amount__gte=0),
                name="contract_disclosed_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(category__in=[c.value for c in Category]),
                name="contract_category_valid",
            ),
        ]
        permissions = [
            ("view_purchasing_reports", "Can read purchasing reports across practices"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.vendor})"

    @property
    def fee_flagged(self) -> bool:
        return self.admin_fee_pct > SAFE_HARBOR_FEE_PCT


class Tier(models.Model):
    """A discount level of a contract. Rank 1 is the lowest; a higher rank never asks for a
    smaller annual commitment than the rank before it (services.py)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="tiers")
    rank = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    min_annual_commitment = models.DecimalField(
        "minimum annual commitment (US dollars)", max_digits=14, decimal_places=2
    )
    discount_pct = models.DecimalField("discount (%)", max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["contract", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "rank"], name="tier_rank_unique"),
            models.UniqueConstraint(fields=["contract", "name"], name="tier_name_unique"),
            models.CheckConstraint(
                condition=Q(min_annual_commitment__gte=0), name="tier_commitment_positive"
            ),
            models.CheckConstraint(
                condition=Q(discount_pct__gte=0, discount_pct__lte=100),
                name="tier_discount_range",
            ),
            models.CheckConstraint(condition=Q(rank__gte=1), name="tier_rank_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} · {self.name}"


class Enrollment(PracticeOwnedModel):
    """A practice's participation in a contract at a tier, from one day to another (both
    included). A practice has at most one enrollment in a contract on any day."""

    practice = models.ForeignKey(
        "practices.Practice", on_delete=models.PROTECT, related_name="enrollments"
    )
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="enrollments")
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="enrollments")
    starts_on = models.DateField("from")
    ends_on = models.DateField("to")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contract__number", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="enrollment_dates_ordered"
            ),
            ExclusionConstraint(
                name="enrollment_no_overlap",
                expressions=[
                    (
                        DateRange("starts_on", "ends_on", RangeBoundary(True, True)),
                        RangeOperators.OVERLAPS,
                    ),
                    ("practice", RangeOperators.EQUAL),
                    ("contract", RangeOperators.EQUAL),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practice} in {self.contract.number} ({self.starts_on} – {self.ends_on})"


class PurchaseRecord(PracticeOwnedModel):
    """One line of a practice's purchases under a contract. Prices are per unit."""

    class Source(models.TextChoices):
        ENTERED = "entered", "Entered on the site"
        UPLOADED = "uploaded", "Uploaded file"

    practice = models.ForeignKey(
        "practices.Practice", on_delete=models.PROTECT, related_name="purchaserecords"
    )
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="purchases")
    purchased_on = models.DateField()
    item = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    list_price = models.DecimalField("list price (unit)", max_digits=14, decimal_places=2)
    price_paid = models.DecimalField("price paid (unit)", max_digits=14, decimal_places=2)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ENTERED)
    # The uploaded file the row came from (None when entered on the site). Reports count
    # entered rows and the rows of each practice's current (approved) file versions.
    submission = models.ForeignKey(
        "submissions.Submission",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-purchased_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="purchase_quantity_positive"),
            models.CheckConstraint(
                condition=Q(list_price__gte=0), name="purchase_list_price_positive"
            ),
            models.CheckConstraint(
                condition=Q(price_paid__gte=0), name="purchase_price_paid_positive"
            ),
            models.CheckConstraint(
                condition=Q(source__in=["entered", "uploaded"]), name="purchase_source_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["contract", "purchased_on"]),
            models.Index(fields=["practice", "purchased_on"]),
        ]
        permissions = [
            ("review_purchase_records", "Can approve or return files of purchase records"),
        ]

    def __str__(self) -> str:
        return f"{self.purchased_on} {self.item} x {self.quantity}"


class Alert(models.Model):
    """A notice from the scheduled task. `key` names what it is about (kind, contract or
    enrollment, the date or year, the audience), so a run that finds the same situation again
    adds nothing and sends nothing: each alert is sent once."""

    class Kind(models.TextChoices):
        CONTRACT_EXPIRING = "contract_expiring", "Contract expiring"
        TIER_NEAR = "tier_near", "Next tier within reach"
        COMMITMENT_AT_RISK = "commitment_at_risk", "Commitment at risk"

    key = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # None: addressed to purchasing staff; else to the practice's administrators.
    practice = models.ForeignKey(
        "practices.Practice", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="alerts")
    enrollment = models.ForeignKey(
        Enrollment, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    subject = models.CharField(max_length=200)
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["key"], name="alert_key_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=["contract_expiring", "tier_near", "commitment_at_risk"]),
                name="alert_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

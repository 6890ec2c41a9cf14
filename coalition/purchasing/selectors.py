"""Reads of group purchasing: the catalog, spend and savings reports, tier tracking, price
benchmarks across members and the annual admin-fee disclosure.

Definitions (Decimal throughout; sums are exact, each figure is rounded to cents at the end,
half up):
- spend = quantity x price paid; list total = quantity x list price;
- savings = list total - spend; admin fees = sum of spend x the contract's fee percent / 100.
Only rows that count are summed: rows entered on the site, and rows of a practice's current
(approved) uploaded file version."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection
from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractYear, Greatest, Least

from coalition.purchasing.models import Alert, Category, Contract, Enrollment, PurchaseRecord, Tier

CENT = Decimal("0.01")
EXACT = DecimalField(max_digits=38, decimal_places=8)
GROUPINGS = ("practice", "vendor", "category", "contract")
REPORT_COLUMNS = ["group", "year", "spend", "list_total", "savings", "admin_fees"]
_GROUP_FIELDS = {
    "practice": ("practice_id", "practice__name"),
    "vendor": ("contract__vendor_id", "contract__vendor__name"),
    "category": ("contract__category", "contract__category"),
    "contract": ("contract_id", "contract__number"),
}
_CATEGORY_LABELS = dict(Category.choices)


def cents(value: Decimal | None) -> Decimal:
    return (value or Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)


def counted(queryset):
    """Entered rows and the rows of current file versions: what reports count."""
    return queryset.filter(Q(submission__isnull=True) | Q(submission__is_current=True))


def _spend():
    return ExpressionWrapper(F("quantity") * F("price_paid"), output_field=EXACT)


def _list_total():
    return ExpressionWrapper(F("quantity") * F("list_price"), output_field=EXACT)


def _fee_basis():
    return ExpressionWrapper(
        F("quantity") * F("price_paid") * F("contract__admin_fee_pct"), output_field=EXACT
    )


# --- catalog --------------------------------------------------------------------------------------
def catalog(*, category: str = "", search: str = "", include_expired: bool = False, today=None):
    today = today or date.today()
    contracts = Contract.objects.select_related("vendor").prefetch_related(
        Prefetch("tiers", queryset=Tier.objects.order_by("rank"))
    )
    if not include_expired:
        contracts = contracts.filter(ends_on__gte=today)
    if category:
        contracts = contracts.filter(category=category)
    if search:
        contracts = contracts.filter(
            Q(number__icontains=search)
            | Q(title__icontains=search)
            | Q(vendor__name__icontains=search)
            | Q(description__icontains=search)
        )
    return contracts.order_by("category", "vendor__name", "number")


def enrollments_by_contract(*, practice, on: date) -> dict[int, Enrollment]:
    rows = (
        Enrollment.objects.for_practice(practice)
        .filter(starts_on__lte=on, ends_on__gte=on)
        .select_related("tier")
    )
    return {e.contract_id: e for e in rows}


# --- spend and savings ----------------------------------------------------------------------------
@dataclass
class ReportRow:
    group: str
    year: int
    spend: Decimal
    list_total: Decimal
    savings: Decimal
    admin_fees: Decimal
    group_key: object = None

    @property
    def savings_pct(self) -> Decimal | None:
        if not self.list_total:
            return None
        return (self.savings / self.list_total * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)

    def as_dict(self) -> dict:
        return {
            "group": self.group,
            "year": self.year,
            "spend": self.spend,
            "list_total": self.list_total,
            "savings": self.savings,
            "admin_fees": self.admin_fees,
        }


def spend_report(*, purchases, by: str, year: int | None = None) -> list[ReportRow]:
    """Spend, list total, savings and admin fees of `purchases` (a scoped queryset) by one
    grouping and year, largest spend first within each year."""
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}")
    key_field, label_field = _GROUP_FIELDS[by]
    rows = counted(purchases).annotate(year=ExtractYear("purchased_on"))
    if year is not None:
        rows = rows.filter(purchased_on__year=year)
    rows = (
        rows.values("year", key_field, label_field)
        .annotate(spend=Sum(_spend()), list_total=Sum(_list_total()), fee=Sum(_fee_basis()))
        .order_by()
    )
    result = []
    for row in rows:
        label = row[label_field]
        if by == "category":
            label = _CATEGORY_LABELS.get(label, label)
        spend, list_total = row["spend"] or Decimal(0), row["list_total"] or Decimal(0)
        result.append(
            ReportRow(
                group=label,
                group_key=row[key_field],
                year=row["year"],
                spend=cents(spend),
                list_total=cents(list_total),
                savings=cents(list_total - spend),
                admin_fees=cents((row["fee"] or Decimal(0)) / 100),
            )
        )
    result.sort(key=lambda r: (-r.year, -r.spend, r.group))
    return result


def report_totals(rows: list[ReportRow]) -> dict[str, Decimal]:
    return {
        name: sum((getattr(r, name) for r in rows), Decimal(0))
        for name in ("spend", "list_total", "savings", "admin_fees")
    }


def purchase_years(*, purchases) -> list[int]:
    years = counted(purchases).annotate(y=ExtractYear("purchased_on")).values_list("y", flat=True)
    return sorted(set(years.order_by()), reverse=True)


# --- tier tracking --------------------------------------------------------------------------------
@dataclass
class TierStatus:
    enrollment: Enrollment
    year: int
    window_start: date
    window_end: date
    spend_to_date: Decimal
    projected: Decimal
    commitment: Decimal  # the tier's annual minimum, prorated to the enrolled part of the year
    next_tier: Tier | None = None
    next_commitment: Decimal | None = None
    near_next_tier: bool = False
    commitment_at_risk: bool = False

    @property
    def to_next_tier(self) -> Decimal | None:
        if self.next_commitment is None:
            return None
        return max(self.next_commitment - self.spend_to_date, Decimal(0))

    @property
    def progress_pct(self) -> int:
        target = self.next_commitment or self.commitment
        if not target:
            return 100
        return int(min(self.spend_to_date / target * 100, Decimal(100)))


def _window(enrollment: Enrollment, as_of: date) -> tuple[date, date]:
    start = max(enrollment.starts_on, date(as_of.year, 1, 1))
    end = min(enrollment.ends_on, date(as_of.year, 12, 31))
    return start, end


def tier_tracking(*, enrollments, as_of: date | None = None) -> list[TierStatus]:
    """Each enrollment in force on `as_of`: its spend this calendar year to date (inside the
    enrollment), projected to the year's end (or the enrollment's) at the pace so far, against
    its tier's and the next tier's annual minimum (prorated when enrolled for part of the year).

    Flags: `near_next_tier` when the spend is below the next tier's minimum by at most
    PURCHASING_TIER_NEAR_SHARE of it; `commitment_at_risk` when the projection is below the
    tier's minimum."""
    as_of = as_of or date.today()
    share = Decimal(str(settings.PURCHASING_TIER_NEAR_SHARE))
    year_start = date(as_of.year, 1, 1)
    spent = (
        counted(PurchaseRecord.objects.across_practices())
        .filter(
            practice=OuterRef("practice"),
            contract=OuterRef("contract"),
            purchased_on__gte=Greatest(OuterRef("starts_on"), Value(year_start)),
            purchased_on__lte=Least(OuterRef("ends_on"), Value(as_of)),
        )
        .values("practice")
        .annotate(total=Sum(_spend()))
        .values("total")
    )
    rows = (
        enrollments.filter(starts_on__lte=as_of, ends_on__gte=as_of)
        .select_related("practice", "contract__vendor", "tier")
        .annotate(spend_to_date=Coalesce(Subquery(spent, output_field=EXACT), Value(Decimal(0))))
        .order_by("practice__name", "contract__number")
    )
    tiers_by_contract: dict[int, list[Tier]] = {}
    result = []
    days_in_year = 366 if calendar.isleap(as_of.year) else 365
    for enrollment in rows:
        if enrollment.contract_id not in tiers_by_contract:
            tiers_by_contract[enrollment.contract_id] = list(
                Tier.objects.filter(contract_id=enrollment.contract_id).order_by("rank")
            )
        tiers = tiers_by_contract[enrollment.contract_id]
        start, end = _window(enrollment, as_of)
        elapsed = (as_of - start).days + 1
        span = (end - start).days + 1
        fraction = Decimal(span) / Decimal(days_in_year)
        spend = Decimal(enrollment.spend_to_date)
        projected = spend * span / elapsed
        higher = [t for t in tiers if t.rank > enrollment.tier.rank]
        next_tier = higher[0] if higher else None
        commitment = enrollment.tier.min_annual_commitment * fraction
        next_commitment = next_tier.min_annual_commitment * fraction if next_tier else None
        status = TierStatus(
            enrollment=enrollment,
            year=as_of.year,
            window_start=start,
            window_end=end,
            spend_to_date=cents(spend),
            projected=cents(projected),
            commitment=cents(commitment),
            next_tier=next_tier,
            next_commitment=cents(next_commitment) if next_commitment is not None else None,
        )
        if next_commitment is not None:
            status.near_next_tier = next_commitment * (1 - share) <= spend < next_commitment
        status.commitment_at_risk = projected < commitment
        result.append(status)
    return result


# --- price benchmarks -----------------------------------------------------------------------------
@dataclass
class PriceCell:
    contract_id: int
    contract_number: str
    item_key: str
    item: str
    n_practices: int
    n_observations: int
    max_practice_observations: int
    suppressed: bool
    reasons: list[str] = field(default_factory=list)
    p25: Decimal | None = None
    p50: Decimal | None = None
    p75: Decimal | None = None
    own_median: Decimal | None = None
    own_observations: int = 0

    @property
    def position(self) -> str:
        """Where the practice's median price stands in the coalition's quartiles."""
        if self.suppressed or self.own_median is None:
            return ""
        if self.own_median < self.p25:
            return "below p25 (lower than most members)"
        if self.own_median <= self.p50:
            return "p25–p50"
        if self.own_median <= self.p75:
            return "p50–p75"
        return "above p75 (higher than most members)"


_PRICE_SQL = """
WITH obs AS (
    SELECT p.contract_id, lower(btrim(p.item)) AS item_key, btrim(p.item) AS item,
           p.practice_id, p.price_paid
    FROM purchasing_purchaserecord p
    LEFT JOIN submissions_submission s ON s.id = p.submission_id
    WHERE (p.submission_id IS NULL OR s.is_current)
      AND p.purchased_on >= %(start)s AND p.purchased_on < %(end)s
      {contract_filter}
), per_practice AS (
    SELECT contract_id, item_key, practice_id, count(*) AS n FROM obs GROUP BY 1, 2, 3
), per_item AS (
    SELECT contract_id, item_key, count(*) AS n_practices, max(n) AS max_n
    FROM per_practice GROUP BY 1, 2
)
SELECT o.contract_id, c.number, o.item_key, min(o.item), i.n_practices, i.max_n, count(*),
       percentile_cont(0.25) WITHIN GROUP (ORDER BY o.price_paid),
       percentile_cont(0.50) WITHIN GROUP (ORDER BY o.price_paid),
       percentile_cont(0.75) WITHIN GROUP (ORDER BY o.price_paid),
       percentile_cont(0.50) WITHIN GROUP (ORDER BY o.price_paid)
           FILTER (WHERE o.practice_id = %(practice)s),
       count(*) FILTER (WHERE o.practice_id = %(practice)s)
FROM obs o
JOIN per_item i USING (contract_id, item_key)
JOIN purchasing_contract c ON c.id = o.contract_id
GROUP BY o.contract_id, c.number, o.item_key, i.n_practices, i.max_n
ORDER BY c.number, o.item_key
"""


def _price(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def price_benchmarks(
    *, year: int, practice=None, contract: Contract | None = None, only_own: bool = False
) -> list[PriceCell]:
    """The coalition's p25/p50/p75 of the unit price paid for each contract item in `year`,
    under the benchmark disclosure rules (minimum practices, largest practice's share of the
    observations, minimum observations for quartiles): a cell that fails any is withheld, and
    its quartiles are never computed into the result. With `practice`, the practice's own
    median price of the item too (its own data)."""
    from benchmarks.rules import CellCounts, primary_decision
    from benchmarks.selectors import rule_settings_current

    rules = rule_settings_current().as_ruleset()
    sql = _PRICE_SQL.format(
        contract_filter="AND p.contract_id = %(contract)s" if contract is not None else ""
    )
    params = {
        "start": date(year, 1, 1),
        "end": date(year + 1, 1, 1),
        "practice": practice.pk if practice is not None else None,
        "contract": contract.pk if contract is not None else None,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    cells = []
    for row in rows:
        (
            contract_id,
            number,
            item_key,
            item,
            n_practices,
            max_n,
            n_obs,
            p25,
            p50,
            p75,
            own,
            n_own,
        ) = row
        if only_own and not n_own:
            continue
        decision = primary_decision(
            CellCounts(
                metric="price_paid",
                source="purchases",
                dimension="all",
                value=item_key,
                n_observations=n_obs,
                n_practices=n_practices,
                max_practice_observations=max_n,
            ),
            rules,
        )
        cell = PriceCell(
            contract_id=contract_id,
            contract_number=number,
            item_key=item_key,
            item=item,
            n_practices=n_practices,
            n_observations=n_obs,
            max_practice_observations=max_n,
            suppressed=decision.suppressed,
            reasons=[str(r) for r in decision.reasons if r != "min_observations_tails"],
            own_median=_price(own),
            own_observations=n_own,
        )
        if not decision.suppressed:
            cell.p25, cell.p50, cell.p75 = _price(p25), _price(p50), _price(p75)
        cells.append(cell)
    return cells


# --- the annual admin-fee disclosure --------------------------------------------------------------
@dataclass
class DisclosureLine:
    vendor: str
    contract_number: str
    category: str
    admin_fee_pct: Decimal
    disclosed_amount: Decimal | None
    spend: Decimal
    admin_fees: Decimal


@dataclass
class Disclosure:
    practice: object
    year: int
    lines: list[DisclosureLine]
    by_vendor: list[tuple[str, Decimal, Decimal]]  # (vendor, spend, fees)
    total_spend: Decimal
    total_fees: Decimal


def admin_fee_disclosure(*, practice, year: int) -> Disclosure:
    """What each vendor paid the coalition on the practice's purchases in `year`, contract by
    contract: spend x the contract's fee percent."""
    rows = (
        counted(PurchaseRecord.objects.for_practice(practice))
        .filter(purchased_on__year=year)
        .values(
            "contract__vendor__name",
            "contract__number",
            "contract__category",
            "contract__admin_fee_pct",
            "contract__admin_fee_disclosed_amount",
        )
        .annotate(spend=Sum(_spend()), fee=Sum(_fee_basis()))
        .order_by("contract__vendor__name", "contract__number")
    )
    lines = [
        DisclosureLine(
            vendor=r["contract__vendor__name"],
            contract_number=r["contract__number"],
            category=_CATEGORY_LABELS.get(r["contract__category"], r["contract__category"]),
            admin_fee_pct=r["contract__admin_fee_pct"],
            disclosed_amount=r["contract__admin_fee_disclosed_amount"],
            spend=cents(r["spend"]),
            admin_fees=cents(r["fee"] / 100),
        )
        for r in rows
    ]
    vendors: dict[str, list[Decimal]] = {}
    for line in lines:
        totals = vendors.setdefault(line.vendor, [Decimal(0), Decimal(0)])
        totals[0] += line.spend
        totals[1] += line.admin_fees
    return Disclosure(
        practice=practice,
        year=year,
        lines=lines,
        by_vendor=[(name, s, f) for name, (s, f) in vendors.items()],
        total_spend=sum((line.spend for line in lines), Decimal(0)),
        total_fees=sum((line.admin_fees for line in lines), Decimal(0)),
    )


# --- alerts ---------------------------------------------------------------------------------------
def practice_alerts(*, practice, limit: int = 20):
    return Alert.objects.filter(practice=practice).select_related("contract")[:limit]


def staff_alerts(*, limit: int = 200):
    return Alert.objects.select_related("contract", "practice")[:limit]

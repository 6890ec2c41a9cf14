"""Writes of group purchasing: vendors, contracts, tiers, enrollments, purchase records, the
contract catalog import and alerts. Keyword-only, each in one transaction; a problem raises
ValidationError naming the field (or, for files, the row and column) and stores nothing."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from coalition.purchasing import parsing
from coalition.purchasing.models import (
    SAFE_HARBOR_FEE_PCT,
    Alert,
    Contract,
    Enrollment,
    PurchaseRecord,
    Tier,
    Vendor,
)
from practices.submissions import issues as I

MAX_MONEY = Decimal("999999999999.99")


# --- vendors and contracts ------------------------------------------------------------------------
@transaction.atomic
def vendor_create(
    *, name: str, website: str = "", contact_email: str = "", notes: str = ""
) -> Vendor:
    vendor = Vendor(name=name.strip(), website=website, contact_email=contact_email, notes=notes)
    vendor.full_clean()
    vendor.save()
    return vendor


@transaction.atomic
def vendor_update(*, vendor: Vendor, **changes) -> Vendor:
    for name, value in changes.items():
        setattr(vendor, name, value)
    vendor.full_clean()
    vendor.save()
    return vendor


def _check_contract(contract: Contract) -> None:
    problems: dict[str, list[str]] = {}
    if contract.starts_on and contract.ends_on and contract.ends_on < contract.starts_on:
        problems.setdefault("ends_on", []).append("The term ends before it starts.")
    if (
        contract.admin_fee_pct is not None
        and contract.admin_fee_pct > SAFE_HARBOR_FEE_PCT
        and contract.admin_fee_disclosed_amount is None
    ):
        problems.setdefault("admin_fee_disclosed_amount", []).append(
            "A fee above 3% needs the disclosed amount (the most the vendor may pay a year)."
        )
    if problems:
        raise ValidationError(problems)
    contract.full_clean(validate_constraints=False)
    if contract.pk:
        outside = (
            Enrollment.objects.across_practices()
            .filter(contract=contract)
            .exclude(starts_on__gte=contract.starts_on, ends_on__lte=contract.ends_on)
        )
        if outside.exists():
            raise ValidationError(
                {"ends_on": "Enrollments would fall outside the new term; change them first."}
            )


@transaction.atomic
def contract_create(
    *,
    number: str,
    vendor: Vendor,
    category: str,
    starts_on: date,
    ends_on: date,
    admin_fee_pct: Decimal,
    admin_fee_disclosed_amount: Decimal | None = None,
    title: str = "",
    description: str = "",
    written_agreement=None,
) -> Contract:
    contract = Contract(
        number=number.strip(),
        vendor=vendor,
        category=category,
        starts_on=starts_on,
        ends_on=ends_on,
        admin_fee_pct=admin_fee_pct,
        admin_fee_disclosed_amount=admin_fee_disclosed_amount,
        title=title,
        description=description,
    )
    if written_agreement:
        contract.written_agreement = written_agreement
    _check_contract(contract)
    contract.save()
    return contract


@transaction.atomic
def contract_update(*, contract: Contract, **changes) -> Contract:
    for name, value in changes.items():
        if name == "written_agreement" and not value:
            continue  # keep the stored file unless a new one is given
        setattr(contract, name, value)
    _check_contract(contract)
    contract.save()
    return contract


# --- tiers ----------------------------------------------------------------------------------------
def tier_order_problems(tiers: list[tuple[int, str, Decimal]]) -> list[str]:
    """(rank, name, minimum) of a contract's tiers: each minimum at least the one before."""
    problems = []
    ordered = sorted(tiers)
    for previous, current in itertools.pairwise(ordered):
        if current[2] < previous[2]:
            problems.append(
                f"Tier {current[1]} asks for less ({current[2]}) than the tier before it, "
                f"{previous[1]} ({previous[2]})."
            )
    return problems


@transaction.atomic
def tier_create(
    *,
    contract: Contract,
    name: str,
    min_annual_commitment: Decimal,
    discount_pct: Decimal,
    rank: int | None = None,
) -> Tier:
    Contract.objects.select_for_update().get(pk=contract.pk)  # one tier change at a time
    existing = list(contract.tiers.order_by("rank"))
    if rank is None:
        rank = (existing[-1].rank + 1) if existing else 1
    tier = Tier(
        contract=contract,
        rank=rank,
        name=name.strip(),
        min_annual_commitment=min_annual_commitment,
        discount_pct=discount_pct,
    )
    tier.full_clean()
    problems = tier_order_problems(
        [(t.rank, t.name, t.min_annual_commitment) for t in existing]
        + [(tier.rank, tier.name, tier.min_annual_commitment)]
    )
    if problems:
        raise ValidationError({"min_annual_commitment": problems})
    tier.save()
    return tier


@transaction.atomic
def tier_update(*, tier: Tier, **changes) -> Tier:
    Contract.objects.select_for_update().get(pk=tier.contract_id)
    for name, value in changes.items():
        setattr(tier, name, value)
    tier.full_clean()
    others = [
        (t.rank, t.name, t.min_annual_commitment) for t in tier.contract.tiers.exclude(pk=tier.pk)
    ]
    problems = tier_order_problems([*others, (tier.rank, tier.name, tier.min_annual_commitment)])
    if problems:
        raise ValidationError({"min_annual_commitment": problems})
    tier.save()
    return tier


@transaction.atomic
def tier_delete(*, tier: Tier) -> None:
    if tier.enrollments.exists():
        raise ValidationError("Practices are enrolled at this tier; move them first.")
    tier.delete()


# --- enrollments ----------------------------------------------------------------------------------
def _check_enrollment(enrollment: Enrollment) -> None:
    contract = enrollment.contract
    problems: dict[str, list[str]] = {}
    if enrollment.tier_id and enrollment.tier.contract_id != contract.pk:
        problems.setdefault("tier", []).append("The tier belongs to another contract.")
    if enrollment.ends_on < enrollment.starts_on:
        problems.setdefault("ends_on", []).append("The enrollment ends before it starts.")
    if enrollment.starts_on < contract.starts_on:
        problems.setdefault("starts_on", []).append(
            f"The contract's term starts on {contract.starts_on:%Y-%m-%d}."
        )
    if enrollment.ends_on > contract.ends_on:
        problems.setdefault("ends_on", []).append(
            f"The contract's term ends on {contract.ends_on:%Y-%m-%d}."
        )
    if problems:
        raise ValidationError(problems)
    overlapping = (
        Enrollment.objects.for_practice(enrollment.practice)
        .filter(
            contract=contract,
            starts_on__lte=enrollment.ends_on,
            ends_on__gte=enrollment.starts_on,
        )
        .exclude(pk=enrollment.pk)
        .first()
    )
    if overlapping is not None:
        raise ValidationError(
            {
                "starts_on": (
                    f"The practice is already enrolled in {contract.number} from "
                    f"{overlapping.starts_on:%Y-%m-%d} to {overlapping.ends_on:%Y-%m-%d}."
                )
            }
        )


def _save_enrollment(enrollment: Enrollment) -> Enrollment:
    _check_enrollment(enrollment)
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError as error:  # a concurrent overlapping enrollment: the constraint
        if "enrollment_no_overlap" in str(error):
            raise ValidationError(
                {"starts_on": "The practice is already enrolled in this contract then."}
            ) from None
        raise
    return enrollment


@transaction.atomic
def enrollment_create(
    *, practice, contract: Contract, tier: Tier, starts_on: date, ends_on: date
) -> Enrollment:
    return _save_enrollment(
        Enrollment(
            practice=practice, contract=contract, tier=tier, starts_on=starts_on, ends_on=ends_on
        )
    )


@transaction.atomic
def enrollment_update(*, enrollment: Enrollment, **changes) -> Enrollment:
    for name, value in changes.items():
        setattr(enrollment, name, value)
    return _save_enrollment(enrollment)


@transaction.atomic
def enrollment_delete(*, enrollment: Enrollment) -> None:
    Enrollment.objects.for_practice(enrollment.practice).filter(pk=enrollment.pk).delete()


# --- purchase records -----------------------------------------------------------------------------
def purchase_warnings(
    *, practice, contract: Contract, purchased_on: date, list_price: Decimal, price_paid: Decimal
) -> list[tuple[str, str, str]]:
    """(column, code, message) warnings of one purchase: they never block."""
    found = []
    enrolled = (
        Enrollment.objects.for_practice(practice)
        .filter(contract=contract, starts_on__lte=purchased_on, ends_on__gte=purchased_on)
        .exists()
    )
    if not enrolled:
        found.append(
            (
                "purchased_on",
                "not_enrolled",
                f"The practice was not enrolled in {contract.number} on that day.",
            )
        )
    if price_paid > list_price:
        found.append(("price_paid", "above_list_price", "The price paid is above the list price."))
    return found


def purchase_errors(*, contract: Contract, purchased_on: date) -> list[tuple[str, str, str]]:
    if not contract.starts_on <= purchased_on <= contract.ends_on:
        return [
            (
                "purchased_on",
                "outside_term",
                f"The day is outside the term of {contract.number} "
                f"({contract.starts_on:%Y-%m-%d} to {contract.ends_on:%Y-%m-%d}).",
            )
        ]
    return []


@dataclass
class PurchaseResult:
    record: PurchaseRecord
    warnings: list[tuple[str, str, str]] = field(default_factory=list)


@transaction.atomic
def purchase_record_create(
    *,
    practice,
    contract: Contract,
    purchased_on: date,
    item: str,
    quantity: Decimal,
    list_price: Decimal,
    price_paid: Decimal,
    user=None,
) -> PurchaseResult:
    record = PurchaseRecord(
        practice=practice,
        contract=contract,
        purchased_on=purchased_on,
        item=item.strip(),
        quantity=quantity,
        list_price=list_price,
        price_paid=price_paid,
        source=PurchaseRecord.Source.ENTERED,
        entered_by=user,
    )
    problems: dict[str, list[str]] = {}
    if quantity is not None and quantity <= 0:
        problems.setdefault("quantity", []).append("The quantity must be above 0.")
    for name in ("list_price", "price_paid"):
        if getattr(record, name) is not None and getattr(record, name) < 0:
            problems.setdefault(name, []).append("A price cannot be negative.")
    for column, _code, message in purchase_errors(contract=contract, purchased_on=purchased_on):
        problems.setdefault(column, []).append(message)
    if problems:
        raise ValidationError(problems)
    record.full_clean(exclude=["practice", "contract", "submission", "entered_by"])
    record.save()
    warnings = purchase_warnings(
        practice=practice,
        contract=contract,
        purchased_on=purchased_on,
        list_price=list_price,
        price_paid=price_paid,
    )
    return PurchaseResult(record=record, warnings=warnings)


@transaction.atomic
def purchase_record_delete(*, record: PurchaseRecord) -> None:
    if record.submission_id is not None:
        raise ValidationError("Rows of an uploaded file change with a new version of the file.")
    PurchaseRecord.objects.for_practice(record.practice).filter(pk=record.pk).delete()


# --- the contract catalog from a spreadsheet ------------------------------------------------------
CONTRACT_COLUMNS = (
    "vendor",
    "contract_number",
    "category",
    "starts_on",
    "ends_on",
    "admin_fee_pct",
    "tier_name",
    "tier_min_annual_commitment",
    "tier_discount_pct",
)
# Optional: the amount disclosed for a fee above 3% (the safe harbor's "amount stated").
OPTIONAL_CONTRACT_COLUMNS = ("admin_fee_disclosed_amount",)


def _contracts_schema():
    from practices.submissions.schemas import Column, ColumnType, KindSchema

    return KindSchema(
        kind="contracts",
        label="Contract catalog",
        row_is="one tier of one contract",
        key=("contract_number", "tier_name"),
        year_column="",
        columns=tuple(
            Column(name=name, type=ColumnType.TEXT, required=True, description=name)
            for name in CONTRACT_COLUMNS
        )
        + tuple(
            Column(name=name, type=ColumnType.TEXT, required=False, description=name)
            for name in OPTIONAL_CONTRACT_COLUMNS
        ),
    )


@dataclass
class ContractImport:
    issues: list[I.Issue] = field(default_factory=list)
    vendors_created: int = 0
    contracts_created: int = 0
    contracts_updated: int = 0
    tiers_created: int = 0
    tiers_updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.issues


class _RowProblems:
    def __init__(self):
        self.issues: list[I.Issue] = []

    def add(self, row: int, column: str, code: str, message: str) -> None:
        self.issues.append(
            I.error(code, f"Row {row}, {column}: {message}.", row=row, column=column)
        )


def contracts_read(*, path: Path):
    """The file's rows as dicts of text with `__row`, or FileRejected."""
    from practices.submissions.reading import ROW, read_file

    with path.open("rb") as source:
        result = read_file(source, schema=_contracts_schema(), size=path.stat().st_size)
    if result.header_issues:
        # An unknown, missing or repeated column: the file is refused as it is named.
        raise I.FileRejected(result.header_issues)
    return [
        {
            **{
                name: (row[name] or "").strip()
                for name in CONTRACT_COLUMNS + OPTIONAL_CONTRACT_COLUMNS
            },
            "__row": row[ROW],
        }
        for row in result.frame.iter_rows(named=True)
    ]


@transaction.atomic
def contracts_import(*, path: Path) -> ContractImport:
    """Create or update vendors, contracts and tiers from the catalog file. Idempotent: the
    same file again changes nothing. All or nothing: any error stores nothing."""
    outcome = ContractImport()
    try:
        rows = contracts_read(path=path)
    except I.FileRejected as rejected:
        outcome.issues = rejected.issues
        return outcome
    if not rows:
        outcome.issues = [I.error("header_only", "The file has a header but no rows.")]
        return outcome
    problems = _RowProblems()
    contracts: dict[str, dict] = {}
    for row in rows:
        number = row["__row"]
        parsed: dict = {}
        for column, parse in (
            ("vendor", lambda v: parsing.required_text(v, max_length=200)),
            ("contract_number", lambda v: parsing.required_text(v, max_length=60)),
            ("category", parsing.parse_category),
            ("starts_on", parsing.parse_date),
            ("ends_on", parsing.parse_date),
            (
                "admin_fee_pct",
                lambda v: parsing.parse_decimal(v, places=3, maximum=Decimal(100)),
            ),
            ("tier_name", lambda v: parsing.required_text(v, max_length=100)),
            (
                "tier_min_annual_commitment",
                lambda v: parsing.parse_decimal(v, places=2, maximum=MAX_MONEY, money=True),
            ),
            (
                "tier_discount_pct",
                lambda v: parsing.parse_decimal(v, places=2, maximum=Decimal(100)),
            ),
        ):
            try:
                parsed[column] = parse(row[column])
            except parsing.CellError as cell:
                problems.add(number, column, cell.code, cell.message)
        if len(parsed) < len(CONTRACT_COLUMNS):  # a cell failed: its error is listed
            continue
        if parsed["ends_on"] < parsed["starts_on"]:
            problems.add(number, "ends_on", "bad_term", "the term ends before it starts")
            continue
        parsed["admin_fee_disclosed_amount"] = None
        if row["admin_fee_disclosed_amount"]:
            try:
                parsed["admin_fee_disclosed_amount"] = parsing.parse_decimal(
                    row["admin_fee_disclosed_amount"], places=2, maximum=MAX_MONEY, money=True
                )
            except parsing.CellError as cell:
                problems.add(number, "admin_fee_disclosed_amount", cell.code, cell.message)
                continue
        if (
            parsed["admin_fee_pct"] > SAFE_HARBOR_FEE_PCT
            and parsed["admin_fee_disclosed_amount"] is None
        ):
            problems.add(
                number,
                "admin_fee_disclosed_amount",
                "fee_needs_disclosure",
                "a fee above 3% needs its disclosed amount (the most the vendor may pay a year)",
            )
            continue
        entry = contracts.get(parsed["contract_number"])
        terms = {
            k: parsed[k]
            for k in (
                "vendor",
                "category",
                "starts_on",
                "ends_on",
                "admin_fee_pct",
                "admin_fee_disclosed_amount",
            )
        }
        if entry is None:
            contracts[parsed["contract_number"]] = {"terms": terms, "row": number, "tiers": []}
            entry = contracts[parsed["contract_number"]]
        elif entry["terms"] != terms:
            differing = next(k for k in terms if terms[k] != entry["terms"][k])
            problems.add(
                number,
                differing,
                "inconsistent_contract",
                f"differs from row {entry['row']} of the same contract",
            )
            continue
        if any(t["name"].lower() == parsed["tier_name"].lower() for t in entry["tiers"]):
            problems.add(number, "tier_name", "duplicate_key", "repeats a tier of this contract")
            continue
        entry["tiers"].append(
            {
                "name": parsed["tier_name"],
                "min": parsed["tier_min_annual_commitment"],
                "discount": parsed["tier_discount_pct"],
                "row": number,
            }
        )
    for entry in contracts.values():
        tiers = entry["tiers"]
        for previous, current in itertools.pairwise(tiers):
            if current["min"] < previous["min"]:
                problems.add(
                    current["row"],
                    "tier_min_annual_commitment",
                    "tier_order",
                    f"is below the minimum of the tier before it (row {previous['row']})",
                )
    if problems.issues:
        outcome.issues = problems.issues
        return outcome
    for contract_number, entry in contracts.items():
        _import_contract(contract_number, entry, outcome, problems)
    if problems.issues:
        outcome.issues = problems.issues
        transaction.set_rollback(True)
    return outcome


def _import_contract(contract_number: str, entry: dict, outcome: ContractImport, problems) -> None:
    terms = entry["terms"]
    vendor = Vendor.objects.filter(name__iexact=terms["vendor"]).first()
    if vendor is None:
        vendor = Vendor.objects.create(name=terms["vendor"])
        outcome.vendors_created += 1
    contract = Contract.objects.select_for_update().filter(number=contract_number).first()
    values = {
        "vendor": vendor,
        "category": terms["category"],
        "starts_on": terms["starts_on"],
        "ends_on": terms["ends_on"],
        "admin_fee_pct": terms["admin_fee_pct"],
        "admin_fee_disclosed_amount": terms["admin_fee_disclosed_amount"],
    }
    if contract is None:
        contract = Contract.objects.create(number=contract_number, **values)
        outcome.contracts_created += 1
    else:
        changed = [k for k, v in values.items() if getattr(contract, k) != v]
        if changed:
            outside = (
                Enrollment.objects.across_practices()
                .filter(contract=contract)
                .exclude(starts_on__gte=terms["starts_on"], ends_on__lte=terms["ends_on"])
                .exists()
            )
            if outside:
                problems.add(
                    entry["row"],
                    "ends_on",
                    "enrollment_outside_term",
                    "enrollments of this contract would fall outside the new term",
                )
                return
            for k in changed:
                setattr(contract, k, values[k])
            contract.save()
            outcome.contracts_updated += 1
        else:
            outcome.unchanged += 1
    existing = {t.name.lower(): t for t in contract.tiers.all()}
    # Ranks follow the file's order; existing tiers move out of the way first.
    kept = {t["name"].lower() for t in entry["tiers"]}
    extra = [t for name, t in existing.items() if name not in kept]
    offset = 1000
    for tier in contract.tiers.all():
        Tier.objects.filter(pk=tier.pk).update(rank=tier.rank + offset)
    for rank, spec in enumerate(entry["tiers"], start=1):
        tier = existing.get(spec["name"].lower())
        if tier is None:
            Tier.objects.create(
                contract=contract,
                rank=rank,
                name=spec["name"],
                min_annual_commitment=spec["min"],
                discount_pct=spec["discount"],
            )
            outcome.tiers_created += 1
            continue
        changed = (
            tier.rank != rank
            or tier.name != spec["name"]
            or tier.min_annual_commitment != spec["min"]
            or tier.discount_pct != spec["discount"]
        )
        Tier.objects.filter(pk=tier.pk).update(
            rank=rank,
            name=spec["name"],
            min_annual_commitment=spec["min"],
            discount_pct=spec["discount"],
        )
        if changed:
            outcome.tiers_updated += 1
    # Tiers the file no longer lists stay (enrollments may use them), after the listed ones.
    for number, tier in enumerate(
        sorted(extra, key=lambda t: t.rank), start=len(entry["tiers"]) + 1
    ):
        Tier.objects.filter(pk=tier.pk).update(rank=number)
    order = [(t.rank, t.name, t.min_annual_commitment) for t in contract.tiers.order_by("rank")]
    for message in tier_order_problems(order):
        problems.add(
            entry["tiers"][-1]["row"],
            "tier_min_annual_commitment",
            "tier_order",
            message.rstrip("."),
        )


# --- alerts ---------------------------------------------------------------------------------------
@dataclass
class AlertRun:
    created: int = 0
    emailed: int = 0
    messages: int = 0


def _alert_specs(today: date) -> list[dict]:
    """Every alert the current situation calls for, each with its unique key."""
    from django.conf import settings

    from coalition.purchasing import selectors

    specs = []
    horizon = today + timedelta(days=settings.PURCHASING_EXPIRY_ALERT_DAYS)
    expiring = Contract.objects.filter(ends_on__gte=today, ends_on__lte=horizon).select_related(
        "vendor"
    )
    for contract in expiring:
        days = (contract.ends_on - today).days
        subject = (
            f"Contract {contract.number} ({contract.vendor}) ends on {contract.ends_on:%Y-%m-%d}"
        )
        body = (
            f"The contract {contract.number} with {contract.vendor} ends on "
            f"{contract.ends_on:%Y-%m-%d}, in {days} days."
        )
        specs.append(
            {
                "key": f"contract_expiring:{contract.pk}:{contract.ends_on:%Y%m%d}:staff",
                "kind": Alert.Kind.CONTRACT_EXPIRING,
                "contract": contract,
                "practice": None,
                "enrollment": None,
                "subject": subject,
                "message": body + " Renew or replace it before members lose its prices.",
            }
        )
        enrolled = (
            Enrollment.objects.across_practices()
            .filter(contract=contract, ends_on__gte=today, starts_on__lte=contract.ends_on)
            .select_related("practice")
        )
        for enrollment in enrolled:
            specs.append(
                {
                    "key": (
                        f"contract_expiring:{contract.pk}:{contract.ends_on:%Y%m%d}:"
                        f"practice:{enrollment.practice_id}"
                    ),
                    "kind": Alert.Kind.CONTRACT_EXPIRING,
                    "contract": contract,
                    "practice": enrollment.practice,
                    "enrollment": enrollment,
                    "subject": subject,
                    "message": body + " Your practice is enrolled in it.",
                }
            )
    statuses = selectors.tier_tracking(
        enrollments=Enrollment.objects.across_practices(), as_of=today
    )
    for status in statuses:
        enrollment = status.enrollment
        contract = enrollment.contract
        if status.near_next_tier and status.next_tier is not None:
            specs.append(
                {
                    "key": (f"tier_near:{enrollment.pk}:{status.year}:tier:{status.next_tier.pk}"),
                    "kind": Alert.Kind.TIER_NEAR,
                    "contract": contract,
                    "practice": enrollment.practice,
                    "enrollment": enrollment,
                    "subject": f"{contract.number}: the {status.next_tier.name} tier is within reach",
                    "message": (
                        f"Your spend under {contract.number} this year is ${status.spend_to_date:,}; "
                        f"the {status.next_tier.name} tier starts at ${status.next_commitment:,} "
                        f"(${status.to_next_tier:,} more) and gives "
                        f"{status.next_tier.discount_pct}% off."
                    ),
                }
            )
        if status.commitment_at_risk:
            specs.append(
                {
                    "key": f"commitment_at_risk:{enrollment.pk}:{status.year}",
                    "kind": Alert.Kind.COMMITMENT_AT_RISK,
                    "contract": contract,
                    "practice": enrollment.practice,
                    "enrollment": enrollment,
                    "subject": f"{contract.number}: the {enrollment.tier.name} commitment is at risk",
                    "message": (
                        f"At this year's pace your spend under {contract.number} reaches "
                        f"${status.projected:,} by {status.window_end:%Y-%m-%d}, below the "
                        f"{enrollment.tier.name} tier's commitment of ${status.commitment:,}."
                    ),
                }
            )
    return specs


def _recipients(alert: Alert) -> list[str]:
    from django.contrib.auth import get_user_model

    from practices.models import Membership, Role

    if alert.practice_id is None:
        users = (
            get_user_model()
            .objects.filter(is_active=True, groups__name="purchasing")
            .values_list("email", flat=True)
        )
        return sorted(set(users))
    admins = (
        Membership.objects.filter(practice_id=alert.practice_id, role=Role.PRACTICE_ADMIN)
        .filter(user__is_active=True)
        .values_list("user__email", flat=True)
    )
    return sorted(set(admins))


def alerts_refresh(*, today: date | None = None) -> AlertRun:
    """Record the alerts the situation calls for (each key once, ever) and e-mail each
    recorded alert not yet sent. Safe to run at any time, twice, or in two workers at once:
    the unique key keeps an alert from being recorded twice, and a row lock keeps it from
    being sent twice."""
    from django.conf import settings
    from django.core.mail import EmailMessage, get_connection
    from django.utils import timezone

    today = today or timezone.localdate()
    run = AlertRun()
    specs = _alert_specs(today)
    with transaction.atomic():
        before = Alert.objects.count()
        Alert.objects.bulk_create([Alert(**spec) for spec in specs], ignore_conflicts=True)
        run.created = Alert.objects.count() - before
    while True:
        with transaction.atomic():
            alert = (
                Alert.objects.select_for_update(skip_locked=True)
                .filter(emailed_at__isnull=True)
                .order_by("pk")
                .first()
            )
            if alert is None:
                break
            recipients = _recipients(alert)
            if recipients:
                link = f"{settings.SITE_URL}/purchasing/contracts/{alert.contract_id}/"
                with get_connection() as mail:
                    run.messages += (
                        mail.send_messages(
                            [
                                EmailMessage(
                                    subject=f"[Coalition purchasing] {alert.subject}",
                                    body=f"{alert.message}\n\n{link}\n",
                                    to=[address],
                                )
                                for address in recipients
                            ]
                        )
                        or 0
                    )
            alert.emailed_at = timezone.now()
            alert.email_recipients = len(recipients)
            alert.save(update_fields=["emailed_at", "email_recipients"])
            run.emailed += 1
    return run

"""The `purchase_record` upload kind: a practice's purchases under coalition contracts, one file
per reporting year. Registered from PurchasingConfig.ready(); the submission pipeline gives it
templates, the row-and-column error report, the PHI guard, versions, review by purchasing
staff, the all-or-nothing import and `import_data --kind purchase_record`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from coalition.purchasing.models import Contract, Enrollment, PurchaseRecord
from practices.submissions import issues as I
from practices.submissions.kinds import UploadKind, register
from practices.submissions.schemas import ROW, Column, ColumnType, KindSchema

if TYPE_CHECKING:
    import polars as pl

    from practices.submissions.storage import Stored

MAX_MONEY = Decimal("999999999999.99")

PURCHASE_RECORD = KindSchema(
    kind="purchase_record",
    label="Purchase records",
    row_is="one item bought under a contract on one day",
    description=(
        "What the practice bought under the coalition's contracts: one row per contract, day "
        "and item (add up the quantities of the same item bought the same day). Prices are "
        "per unit. One year per file."
    ),
    key=("contract_number", "purchased_on", "item"),
    year_column="purchased_on",
    columns=(
        Column(
            name="contract_number",
            type=ColumnType.TEXT,
            required=True,
            description="The coalition's contract number, as in the contract catalog.",
            max_length=60,
            example="GPO-CT-2025",
        ),
        Column(
            name="purchased_on",
            type=ColumnType.CODE,
            required=True,
            description="The day of the purchase (the invoice date), YYYY-MM-DD.",
            pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
            pattern_help="a date, YYYY-MM-DD, in the reporting year",
            example="2025-03-17",
        ),
        Column(
            name="item",
            type=ColumnType.TEXT,
            required=True,
            description="What was bought: the product or service as the vendor names it.",
            max_length=200,
            example="Iohexol 350 mg/mL 100 mL",
        ),
        Column(
            name="quantity",
            type=ColumnType.DECIMAL,
            required=True,
            description="How many units were bought.",
            unit="units",
            minimum=Decimal(0),
            minimum_exclusive=True,
            maximum=Decimal("999999999.999"),
            decimal_places=3,
            example="12",
        ),
        Column(
            name="list_price",
            type=ColumnType.MONEY,
            required=True,
            description="The vendor's list price of one unit.",
            unit="US dollars",
            minimum=Decimal(0),
            maximum=MAX_MONEY,
            decimal_places=2,
            example="48.00",
        ),
        Column(
            name="price_paid",
            type=ColumnType.MONEY,
            required=True,
            description="The price the practice paid for one unit under the contract.",
            unit="US dollars",
            minimum=Decimal(0),
            maximum=MAX_MONEY,
            decimal_places=2,
            example="41.50",
        ),
    ),
)


def _contracts_by_number(numbers) -> dict[str, Contract]:
    wanted = {str(n).strip().upper() for n in numbers if n}
    found = Contract.objects.all().only("pk", "number", "starts_on", "ends_on")
    return {c.number.upper(): c for c in found if c.number.upper() in wanted}


def validate_purchases(validated, *, practice) -> list[I.Issue]:
    """Rules beyond the columns': the contract exists, the day is a real day of the contract's
    term."""
    frame = validated.normalized()
    contracts = _contracts_by_number(frame["contract_number"].unique().to_list())
    found: list[I.Issue] = []
    for row, number, day in frame.select(ROW, "contract_number", "purchased_on").iter_rows():
        contract = contracts.get(number.strip().upper())
        if contract is None:
            found.append(
                I.error(
                    "unknown_contract",
                    "is not a contract number of the coalition's catalog",
                    row=row,
                    column="contract_number",
                )
            )
            continue
        try:
            purchased_on = date.fromisoformat(day)
        except ValueError:
            found.append(
                I.error("bad_date", "is not a day of the calendar", row=row, column="purchased_on")
            )
            continue
        if not contract.starts_on <= purchased_on <= contract.ends_on:
            found.append(
                I.error(
                    "outside_term",
                    f"is outside the term of the contract ({contract.starts_on:%Y-%m-%d} to "
                    f"{contract.ends_on:%Y-%m-%d})",
                    row=row,
                    column="purchased_on",
                )
            )
    return found


def store_purchases(validated, *, submission) -> Stored:
    # Imported here: registering the kind at set-up must not load polars (kinds.py).
    import polars as pl

    from practices.submissions import storage

    frame = validated.normalized()
    contracts = _contracts_by_number(frame["contract_number"].unique().to_list())
    ids = {number: c.pk for number, c in contracts.items()}
    rows = frame.with_columns(
        pl.col("contract_number")
        .str.strip_chars()
        .str.to_uppercase()
        .replace_strict(ids, return_dtype=pl.Int64)
        .alias("contract_id"),
        pl.lit(PurchaseRecord.Source.UPLOADED.value).alias("source"),
        pl.lit(timezone.now().isoformat()).alias("created_at"),
    )
    storage.copy_rows(
        PurchaseRecord._meta.db_table,
        [
            "practice_id",
            "submission_id",
            "contract_id",
            "purchased_on",
            "item",
            "quantity",
            "list_price",
            "price_paid",
            "source",
            "created_at",
        ],
        storage.owned(rows, submission),
    )
    return storage.Stored(rows=rows.height, frame=rows)


def purchase_warnings(frame: pl.DataFrame, *, submission) -> list[I.Issue]:
    """A purchase outside the practice's enrollment in the contract; a price paid above the
    list price. Warnings never block."""
    enrollments: dict[int, list[tuple[date, date]]] = {}
    for contract_id, starts_on, ends_on in (
        Enrollment.objects.for_practice(submission.practice)
        .values_list("contract_id", "starts_on", "ends_on")
        .order_by()
    ):
        enrollments.setdefault(contract_id, []).append((starts_on, ends_on))
    found: list[I.Issue] = []
    columns = ROW, "contract_id", "purchased_on", "list_price", "price_paid"
    for row, contract_id, day, list_price, price_paid in frame.select(columns).iter_rows():
        purchased_on = date.fromisoformat(day)
        windows = enrollments.get(contract_id, [])
        if not any(start <= purchased_on <= end for start, end in windows):
            found.append(
                I.warning(
                    "not_enrolled",
                    "the practice was not enrolled in this contract on that day",
                    row=row,
                    column="purchased_on",
                )
            )
        if Decimal(price_paid) > Decimal(list_price):
            found.append(
                I.warning(
                    "above_list_price",
                    "the price paid is above the list price",
                    row=row,
                    column="price_paid",
                )
            )
    return found


PURCHASE_RECORD_KIND = register(
    UploadKind(
        schema=PURCHASE_RECORD,
        record_model="purchasing.PurchaseRecord",
        store=store_purchases,
        validate=validate_purchases,
        warnings=(purchase_warnings,),
        records_template="purchasing/records/purchase_record.html",
        reviewer_permission="purchasing.review_purchase_records",
        order=60,
    )
)

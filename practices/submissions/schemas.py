"""What each kind of file contains: one declared schema per kind (SPEC section 3).

Reading, validation, the downloadable templates and the data dictionary are all driven by these
declarations. A schema becomes an upload kind when its app registers it with its record model,
store function and warnings (kinds.py); the schemas of the kinds this app owns are below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

# The column holding each row's line number in the file (for row/column error reports).
ROW = "__row"

SUBSPECIALTIES = (
    "general",
    "abdominal",
    "breast",
    "cardiothoracic",
    "emergency",
    "interventional",
    "musculoskeletal",
    "neuro",
    "nuclear",
    "pediatric",
)
MODALITIES = ("CT", "MR", "US", "XR", "MG", "NM", "PET", "FL", "IR", "OTHER")
PARTNER_STATUSES = ("partner", "employed", "contractor")

MIN_YEAR = 2000
MAX_YEAR = 2100


class ColumnType:
    TEXT = "text"  # free text, e.g. the practice's own provider id (pseudonymized on import)
    INTEGER = "integer"
    DECIMAL = "decimal"
    MONEY = "money"  # a decimal in US dollars; "$" and thousands separators are accepted
    YEAR = "year"
    MONTH = "month"  # YYYY-MM (or the first day of the month, YYYY-MM-01)
    CHOICE = "choice"  # one of a vocabulary, matched case-insensitively
    CODE = "code"  # a fixed-format code, e.g. a CPT code
    # An ISO 8601 date and time, with Z or a UTC offset, or else in the practice's time zone;
    # validated to microseconds since the epoch in UTC (datetimes.py).
    DATETIME = "datetime"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool
    description: str
    unit: str = ""
    choices: tuple[str, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    minimum_exclusive: bool = False
    decimal_places: int = 0
    max_length: int = 64
    pattern: str = ""  # for CODE columns (anchored, Rust/Python-compatible regex)
    pattern_help: str = ""
    example: str = ""
    pseudonymized: bool = False

    @property
    def is_numeric(self) -> bool:
        return self.type in (ColumnType.INTEGER, ColumnType.DECIMAL, ColumnType.MONEY)

    def range_text(self) -> str:
        if self.minimum is None and self.maximum is None:
            return ""
        low = (
            ""
            if self.minimum is None
            else f"{'>' if self.minimum_exclusive else '>='} {self.minimum}"
        )
        high = "" if self.maximum is None else f"<= {self.maximum}"
        return " and ".join(part for part in (low, high) if part)

    def rule_text(self) -> str:
        """The column's rule in words, for the data dictionary."""
        if self.type == ColumnType.CHOICE:
            return "one of: " + ", ".join(self.choices)
        if self.type == ColumnType.MONTH:
            return "YYYY-MM, a month of the reporting year"
        if self.type == ColumnType.YEAR:
            return "the reporting year (four digits)"
        if self.type == ColumnType.CODE:
            return self.pattern_help
        if self.type == ColumnType.DATETIME:
            from practices.submissions.datetimes import DISPLAY_FORMAT

            return DISPLAY_FORMAT
        if self.type == ColumnType.TEXT:
            return f"up to {self.max_length} characters; no patient identifiers"
        parts = []
        if self.type == ColumnType.INTEGER:
            parts.append("whole number")
        else:
            parts.append(f"number, up to {self.decimal_places} decimal places")
        if self.range_text():
            parts.append(self.range_text())
        return "; ".join(parts)


@dataclass(frozen=True)
class KindSchema:
    kind: str
    label: str
    row_is: str
    columns: tuple[Column, ...]
    # Columns that identify a row: two rows with the same values are a duplicate key.
    key: tuple[str, ...]
    # Where the file's (single) year comes from: a YEAR, MONTH or DATETIME column (a date-time's
    # year in the practice's time zone).
    year_column: str
    max_rows: int | None = None
    description: str = ""
    column_map: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_map", {c.name: c for c in self.columns})

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_names(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


def _money(name: str, required: bool, description: str) -> Column:
    return Column(
        name=name,
        type=ColumnType.MONEY,
        required=required,
        description=description,
        unit="US dollars",
        minimum=Decimal(0),
        maximum=Decimal("999999999999.99"),
        decimal_places=2,
        example="450000.00",
    )


PROVIDER_ID = Column(
    name="provider_id",
    type=ColumnType.TEXT,
    required=True,
    description=(
        "The practice's own id for the radiologist (an employee number, initials and a number, "
        "an NPI). The coalition stores only a keyed pseudonym of it; your practice alone can "
        "see the id again. Never a name or a patient identifier."
    ),
    max_length=64,
    example="RAD-0042",
    pseudonymized=True,
)

PROVIDER_YEAR = KindSchema(
    kind="provider_year",
    label="Provider year",
    row_is="one radiologist's year",
    description="Compensation and productivity of each radiologist for one year.",
    key=("provider_id",),
    year_column="year",
    columns=(
        PROVIDER_ID,
        Column(
            name="year",
            type=ColumnType.YEAR,
            required=True,
            description="The reporting year. One year per file.",
            example="2025",
        ),
        Column(
            name="subspecialty",
            type=ColumnType.CHOICE,
            required=True,
            description="The radiologist's primary subspecialty.",
            choices=SUBSPECIALTIES,
            example="neuro",
        ),
        Column(
            name="clinical_fte",
            type=ColumnType.DECIMAL,
            required=True,
            description="Clinical full-time equivalent for the year (1.0 is a full clinical load).",
            unit="FTE",
            minimum=Decimal(0),
            minimum_exclusive=True,
            maximum=Decimal("1.5"),
            decimal_places=3,
            example="0.9",
        ),
        Column(
            name="work_rvus",
            type=ColumnType.DECIMAL,
            required=True,
            description="Work RVUs (wRVU, CMS physician fee schedule) credited for the year.",
            unit="wRVU",
            minimum=Decimal(0),
            maximum=Decimal("9999999999.99"),
            decimal_places=2,
            example="10250.5",
        ),
        _money(
            "total_compensation",
            True,
            "Total cash compensation for the year (base plus incentive), before benefits.",
        ),
        Column(
            name="total_fte",
            type=ColumnType.DECIMAL,
            required=False,
            description="Total FTE including administrative and academic time.",
            unit="FTE",
            minimum=Decimal(0),
            minimum_exclusive=True,
            maximum=Decimal("1.5"),
            decimal_places=3,
            example="1.0",
        ),
        _money("base_compensation", False, "Base salary or draw."),
        _money("incentive_compensation", False, "Productivity and quality incentives, bonuses."),
        _money("benefits", False, "Employer-paid benefits and retirement contributions."),
        Column(
            name="partner_status",
            type=ColumnType.CHOICE,
            required=False,
            description="The radiologist's status in the practice.",
            choices=PARTNER_STATUSES,
            example="partner",
        ),
        Column(
            name="years_in_practice",
            type=ColumnType.INTEGER,
            required=False,
            description="Years in practice since training.",
            unit="years",
            minimum=Decimal(0),
            maximum=Decimal(70),
            example="12",
        ),
        Column(
            name="call_shifts",
            type=ColumnType.INTEGER,
            required=False,
            description="Call shifts taken during the year.",
            unit="shifts",
            minimum=Decimal(0),
            maximum=Decimal(2000),
            example="24",
        ),
    ),
)

RVU_DETAIL = KindSchema(
    kind="rvu_detail",
    label="RVU detail",
    row_is="one provider x month x CPT code (and modality)",
    description="Work RVUs by radiologist, month and CPT code.",
    key=("provider_id", "service_month", "cpt_code", "modality"),
    year_column="service_month",
    columns=(
        PROVIDER_ID,
        Column(
            name="service_month",
            type=ColumnType.MONTH,
            required=True,
            description="Month of service, YYYY-MM. Every month of a file is in the same year.",
            example="2025-03",
        ),
        Column(
            name="cpt_code",
            type=ColumnType.CODE,
            required=True,
            description="CPT code of the service (five characters).",
            pattern=r"^[0-9]{4}[0-9A-Z]$",
            pattern_help="five characters: four digits and a digit or capital letter",
            max_length=5,
            example="70450",
        ),
        Column(
            name="modality",
            type=ColumnType.CHOICE,
            required=True,
            description="Imaging modality.",
            choices=MODALITIES,
            example="CT",
        ),
        Column(
            name="units",
            type=ColumnType.DECIMAL,
            required=True,
            description="Units (services) billed for the code in the month.",
            unit="units",
            minimum=Decimal(0),
            maximum=Decimal("99999999.99"),
            decimal_places=2,
            example="42",
        ),
        Column(
            name="work_rvus",
            type=ColumnType.DECIMAL,
            required=True,
            description="Work RVUs credited for those units.",
            unit="wRVU",
            minimum=Decimal(0),
            maximum=Decimal("99999999.9999"),
            decimal_places=4,
            example="35.7",
        ),
    ),
)

PRACTICE_FINANCIALS = KindSchema(
    kind="practice_financials",
    label="Practice financials",
    row_is="one practice year",
    description="The practice's revenue, expenses and radiologist FTE for one year: one row.",
    key=("year",),
    year_column="year",
    max_rows=1,
    columns=(
        Column(
            name="year",
            type=ColumnType.YEAR,
            required=True,
            description="The reporting year.",
            example="2025",
        ),
        _money(
            "total_revenue",
            True,
            "Professional-fee collections and other revenue of the practice for the year.",
        ),
        _money(
            "provider_expense",
            True,
            "Radiologist compensation and benefits (all providers) for the year.",
        ),
        _money("operating_expense", True, "All other operating expenses for the year."),
        Column(
            name="radiologist_fte",
            type=ColumnType.DECIMAL,
            required=True,
            description="Radiologist FTE of the practice for the year.",
            unit="FTE",
            minimum=Decimal(0),
            minimum_exclusive=True,
            maximum=Decimal("999999.99"),
            decimal_places=2,
            example="32.33",
        ),
        _money(
            "hospital_support_received",
            False,
            "Hospital support (stipends, subsidies) received for the year.",
        ),
    ),
)

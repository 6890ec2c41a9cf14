"""The brief in its three forms and the economics_brief command. PDF pages are rendered to PNG
with pdftoppm (checked for ink where the charts are) and read back with pdftotext; the XLSX
formulas are evaluated here, independently of the code that wrote them."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from benchmarks.economics import brief, selectors, services
from tests.benchmarks.economics.conftest import DEFICIT, SUPPORT_PER_FTE

pytestmark = pytest.mark.django_db
ARTIFACTS = os.environ.get("ECONOMICS_BRIEF_ARTIFACTS")  # keep the PNGs for a look, if set


@pytest.fixture
def negotiation(econ, practice_a, admin_a, typical_range):
    services.scenario_save(
        practice=practice_a,
        year=2024,
        name="Rate cut",
        user=admin_a,
        revenue_per_rvu_change_pct="-4",
    )
    services.scenario_save(
        practice=practice_a, year=2024, name="One more radiologist", user=admin_a, fte_change="1"
    )
    for category, amount, note in [
        ("recruitment_signing_bonus", "250000", "two radiologists"),
        ("interventional_call", "600000", '=HYPERLINK("http://x")'),  # a hostile note
        ("app_support", "350000", "two PAs"),
    ]:
        services.ask_create(
            practice=practice_a,
            year=2024,
            category=category,
            amount=amount,
            note=note,
            user=admin_a,
        )
    return econ


def _pdf_tools():
    if not shutil.which("pdftoppm") or not shutil.which("pdftotext"):
        pytest.fail("poppler-utils is missing: run `make browsers` (scripts/install-browser.sh)")


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "brief.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _pdf_pages(pdf: bytes, tmp_path: Path) -> list[Path]:
    path = tmp_path / "brief.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    if ARTIFACTS:
        Path(ARTIFACTS).mkdir(parents=True, exist_ok=True)
        for page in pages:
            shutil.copy(page, Path(ARTIFACTS) / page.name)
    return pages


def _colored_share(png: Path) -> float:
    """Share of pixels that are neither white nor grey: the charts' coloured bands."""
    from PIL import Image

    data = Image.open(png).convert("RGB").tobytes()
    pixels = [data[i : i + 3] for i in range(0, len(data), 3)]
    colored = sum(1 for r, g, b in pixels if max(r, g, b) - min(r, g, b) > 40)
    return colored / len(pixels)


def test_pdf_brief_pages_and_text(negotiation, practice_a, tmp_path):
    _pdf_tools()
    model = selectors.economics_model(practice=practice_a, year=2024)
    pdf = brief.brief_pdf(model)
    text = _pdf_text(pdf, tmp_path)
    # Page 1: the summary, with the worked example's figures.
    first_page = text.split("\f")[0]
    assert "$6,318,609" in first_page and "$195,441.05" in first_page
    assert "within the typical range" in first_page
    assert "$1,200,000" in first_page  # the ask: the itemized total
    for heading in (
        "Against the coalition",
        "Scenarios",
        "The itemized asks",
        "Quality figures",
        "Sources",
    ):
        assert heading in text
    assert "Rate cut" in text and "One more radiologist" in text
    assert "Provider pay at the coalition median" in text
    assert "Typical hospital support per radiologist FTE" in text  # the range's source
    # No other practice is named.
    for other in negotiation.members[1:]:
        assert other.name not in text
    pages = _pdf_pages(pdf, tmp_path)
    assert 2 <= len(pages) <= 5
    # Page 1 is text and a box; page 2 carries the coloured band charts.
    assert _colored_share(pages[1]) > 0.01
    assert _colored_share(pages[1]) > _colored_share(pages[0])


def test_pdf_headings_are_never_alone_at_a_page_foot(negotiation, practice_a, tmp_path):
    _pdf_tools()
    model = selectors.economics_model(practice=practice_a, year=2024)
    pages = _pdf_text(brief.brief_pdf(model), tmp_path).split("\f")
    headings = ("Against the coalition", "Scenarios", "The itemized asks", "Quality figures")
    for number, page in enumerate(pages, start=1):
        # The last line above the footer ("... hospital support brief 2024   page N").
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        body = [line for line in lines if "hospital support brief" not in line]
        if body:
            assert body[-1] not in (*headings, "Sources"), f"page {number} ends with {body[-1]!r}"


def test_pdf_never_shows_withheld_figures(negotiation, practice_a, tmp_path):
    from benchmarks.models import BenchmarkCell

    _pdf_tools()
    model = selectors.economics_model(practice=practice_a, year=2024)
    text = _pdf_text(brief.brief_pdf(model), tmp_path)
    withheld = BenchmarkCell.objects.filter(release=negotiation.releases[2024], suppressed=True)
    assert withheld.exists()
    # A suppressed cell holds no statistics to leak; its row says "withheld".
    assert all(c.p50 is None for c in withheld)
    shown = [c for p in model.distribution for c in p.cells if c.suppressed]
    if shown:
        assert "withheld" in text


def _evaluate(workbook, sheet_name: str, ref: str, depth: int = 0):
    """A small evaluator for the arithmetic, IF and SUM the brief writes."""
    value = workbook[sheet_name][ref].value
    if not (isinstance(value, str) and value.startswith("=")):
        return None if value is None else Decimal(str(value))
    expression = value[1:]

    def resolve(match):
        sheet = match.group(1) or sheet_name
        result = _evaluate(workbook, sheet.rstrip("!"), match.group(2), depth + 1)
        return "None" if result is None else f"Decimal('{result}')"

    def total(match):
        column, first, last = match.group(1), int(match.group(2)), int(match.group(4))
        values = [
            _evaluate(workbook, sheet_name, f"{column}{row}", depth + 1)
            for row in range(first, last + 1)
        ]
        return f"Decimal('{sum(v for v in values if v is not None)}')"

    expression = re.sub(r"SUM\(([A-Z])(\d+):([A-Z])(\d+)\)", total, expression)
    expression = re.sub(r"IF\(", "_if(", expression)
    expression = re.sub(r"(?<![A-Za-z'])((?:[A-Za-z]+!)?)([A-Z]{1,2}\d+)", resolve, expression)
    expression = expression.replace('""', "None").replace("<>", "!=")
    expression = re.sub(r"(?<![<>!=])=(?!=)", "==", expression)

    def _if(condition, yes, no):
        return yes if condition else no

    return eval(expression, {"Decimal": Decimal, "_if": _if, "None": None})  # noqa: S307 - test evaluator


def test_xlsx_brief_has_live_formulas_that_compute_the_model(negotiation, practice_a):
    from openpyxl import load_workbook

    model = selectors.economics_model(practice=practice_a, year=2024)
    workbook = load_workbook(io.BytesIO(brief.brief_xlsx(model)))
    sheet = workbook["Model"]
    assert sheet["B11"].value == "=B10-B4" and sheet["B12"].value == "=B11/B7"
    assert _evaluate(workbook, "Model", "B11") == Decimal("6318609")
    assert f"{_evaluate(workbook, 'Model', 'B12').quantize(Decimal('0.01'))}" == SUPPORT_PER_FTE
    # Every scenario row recomputes to what the model says.
    scenarios = workbook["Scenarios"]
    outcomes = [*model.standard_scenarios, *model.saved_scenarios]
    for row, outcome in enumerate(outcomes, start=2):
        assert scenarios[f"A{row}"].value == outcome.name
        assert scenarios[f"L{row}"].value.startswith("=")
        computed = _evaluate(workbook, "Scenarios", f"L{row}")
        assert computed.quantize(Decimal("0.01")) == outcome.result.support_needed_per_fte.quantize(
            Decimal("0.01")
        )
    asks = workbook["Asks"]
    notes = [asks[f"C{row}"].value for row in range(2, 5)]
    assert '\'=HYPERLINK("http://x")' in notes  # text that could run is escaped
    total_row = next(r for r in range(2, 20) if asks[f"A{r}"].value == "Total of the asks")
    assert asks[f"B{total_row}"].value.startswith("=SUM(")
    assert _evaluate(workbook, "Asks", f"B{total_row}") == Decimal("1200000")
    assert _evaluate(workbook, "Asks", f"B{total_row + 1}") == Decimal("6318609")
    assert "Sources" in workbook.sheetnames


def test_json_brief(negotiation, practice_a):
    data = json.loads(brief.brief_json(selectors.economics_model(practice=practice_a, year=2024)))
    assert data["deficit"] == DEFICIT and data["support_needed_per_fte"] == SUPPORT_PER_FTE
    assert data["asks"]["total"] == "1200000.00"
    assert len(data["scenarios"]["standard"]) == 2 and len(data["scenarios"]["saved"]) == 2
    assert any("Typical hospital support" in s for s in data["sources"])


def test_command_writes_each_format(negotiation, practice_a, tmp_path):
    out = io.StringIO()
    call_command(
        "economics_brief", "--practice", "alpha", "--year", "2024", "--format", "json", stdout=out
    )
    data = json.loads(out.getvalue())
    assert (data["deficit"], data["support_needed_per_fte"]) == (DEFICIT, SUPPORT_PER_FTE)
    for file_format, magic in (("pdf", b"%PDF-"), ("xlsx", b"PK")):
        target = tmp_path / f"brief.{file_format}"
        call_command(
            "economics_brief",
            "--practice",
            "alpha",
            "--year",
            "2024",
            "--format",
            file_format,
            "--output",
            str(target),
            stderr=io.StringIO(),
        )
        assert target.read_bytes()[: len(magic)] == magic
    out = io.StringIO()
    call_command(
        "economics_brief",
        "--practice",
        "alpha",
        "--year",
        "2024",
        "--format",
        "json",
        "--scenario",
        "Rate cut",
        stdout=out,
    )
    assert [s["name"] for s in json.loads(out.getvalue())["scenarios"]["saved"]] == ["Rate cut"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--practice", "nobody", "--year", "2024"], "No practice"),
        (["--practice", "alpha", "--year", "2021"], "No approved practice financials for 2021"),
        (["--practice", "alpha", "--year", "2024", "--scenario", "Missing"], "No saved scenario"),
    ],
)
def test_command_fails_clearly(negotiation, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("economics_brief", *args, "--format", "json", stdout=io.StringIO())


def test_command_exits_non_zero(negotiation):
    """Through the real entry point: a non-zero exit status and the message on stderr."""
    import os

    from django.db import connection

    db = connection.settings_dict
    test_database = (
        f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    result = subprocess.run(
        [
            ".venv/bin/python",
            "manage.py",
            "economics_brief",
            "--practice",
            "no-such",
            "--year",
            "2024",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "DATABASE_URL": test_database},
    )
    assert result.returncode != 0
    assert "No practice" in result.stderr

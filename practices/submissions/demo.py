"""Demo data for seed_demo: reporting periods and realistic, approved submissions for every
demo practice, loaded through the same import service as real files.

- reporting periods for the last five finished years (closed) and the current year (open);
- for every practice and each of those five years: provider_year (one row per radiologist:
  wRVU per clinical FTE around 8,000-14,000 depending on subspecialty, compensation per FTE
  about $400k-$750k, partner status, part-timers) and practice_financials, approved and current;
- a small rvu_detail for the last finished year of two practices, consistent with their
  provider_year work RVUs.

Idempotent: a (practice, kind, year) that already has a current version is left alone.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from practices.models import Practice
from practices.submissions import selectors, services
from practices.submissions.kinds import schema_for
from practices.submissions.models import ReportingPeriod

YEARS_BACK = 5
RVU_DETAIL_PRACTICES = 2

# (subspecialty, share of radiologists, wRVU per clinical FTE median, $ per wRVU median)
SUBSPECIALTY_MIX = [
    ("general", 0.20, 10700, 52.0),
    ("neuro", 0.14, 11800, 50.5),
    ("abdominal", 0.14, 11200, 51.0),
    ("musculoskeletal", 0.10, 11000, 51.5),
    ("breast", 0.10, 8600, 63.0),
    ("cardiothoracic", 0.08, 10300, 53.0),
    ("emergency", 0.08, 12600, 47.0),
    ("interventional", 0.08, 8300, 72.0),
    ("nuclear", 0.04, 9000, 58.0),
    ("pediatric", 0.04, 8800, 60.0),
]
CPT_BY_MODALITY = {
    "CT": [("70450", "0.85"), ("74177", "1.82"), ("71260", "1.38")],
    "MR": [("70553", "2.29"), ("72148", "1.48"), ("73721", "1.35")],
    "XR": [("71046", "0.22"), ("73030", "0.18"), ("72100", "0.22")],
    "US": [("76700", "0.81"), ("76856", "0.69")],
    "MG": [("77067", "0.76")],
    "NM": [("78452", "1.40")],
    "IR": [("36556", "1.75")],
}
CENTS = Decimal("0.01")


def _money(value: float) -> str:
    return str(Decimal(value).quantize(CENTS, rounding=ROUND_HALF_UP))


def _csv(kind: str, rows: list[dict]) -> bytes:
    columns = schema_for(kind).column_names
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: row.get(name, "") for name in columns})
    return buffer.getvalue().encode()


def _roster(practice: Practice, rng: random.Random) -> list[dict]:
    """The practice's radiologists: a stable id, subspecialty, FTE, status and a personal
    productivity factor, about 1.1 heads per radiologist FTE."""
    heads = max(4, round(float(practice.radiologist_fte) * 1.1))
    names = [s for s, _, _, _ in SUBSPECIALTY_MIX]
    weights = [w for _, w, _, _ in SUBSPECIALTY_MIX]
    prefix = "".join(word[0] for word in practice.name.split()[:3]).upper()
    roster = []
    for number in range(1, heads + 1):
        fte = rng.choices([1.0, 0.9, 0.8, 0.6, 0.5, 0.4], weights=[70, 8, 8, 6, 5, 3])[0]
        roster.append(
            {
                "local_id": f"{prefix}-{number:03d}",
                "subspecialty": rng.choices(names, weights=weights)[0],
                "clinical_fte": fte,
                "status": rng.choices(["partner", "employed", "contractor"], [60, 30, 10])[0],
                "productivity": rng.lognormvariate(0, 0.13),
                "pay": rng.lognormvariate(0, 0.08),
                "started": rng.randint(1, 30),
                "joined_year": rng.randint(-4, 4),  # some joined during the demo years
            }
        )
    return roster


def provider_year_rows(practice: Practice, year: int, first_year: int, seed: int) -> list[dict]:
    rng = random.Random(f"{seed}-{practice.slug}")
    roster = _roster(practice, rng)
    year_rng = random.Random(f"{seed}-{practice.slug}-{year}")
    by_name = {s: (median, per_wrvu) for s, _, median, per_wrvu in SUBSPECIALTY_MIX}
    rows = []
    for person in roster:
        if first_year + person["joined_year"] > year:
            continue
        median, per_wrvu = by_name[person["subspecialty"]]
        fte = person["clinical_fte"]
        wrvu_per_fte = median * person["productivity"] * year_rng.lognormvariate(0, 0.05)
        growth = 1.03 ** (year - first_year)
        comp_per_wrvu = per_wrvu * person["pay"] * growth * year_rng.lognormvariate(0, 0.04)
        wrvus = wrvu_per_fte * fte
        total = wrvus * comp_per_wrvu
        base = total * year_rng.uniform(0.62, 0.8)
        rows.append(
            {
                "provider_id": person["local_id"],
                "year": year,
                "subspecialty": person["subspecialty"],
                "clinical_fte": f"{fte:.3f}",
                "work_rvus": _money(wrvus),
                "total_compensation": _money(total),
                "total_fte": f"{min(1.0, fte + year_rng.choice([0, 0, 0, 0.1])):.3f}",
                "base_compensation": _money(base),
                "incentive_compensation": _money(total - base),
                "benefits": _money(total * year_rng.uniform(0.09, 0.15)),
                "partner_status": person["status"],
                "years_in_practice": person["started"] + (year - first_year),
                "call_shifts": year_rng.randint(0, 48),
            }
        )
    return rows


def practice_financials_row(practice: Practice, providers: list[dict], year: int, seed: int):
    rng = random.Random(f"{seed}-{practice.slug}-{year}-money")
    fte = sum(Decimal(row["clinical_fte"]) for row in providers)
    provider_expense = sum(
        Decimal(row["total_compensation"]) + Decimal(row["benefits"]) for row in providers
    )
    revenue = provider_expense * Decimal(rng.uniform(0.78, 1.12))
    operating = fte * Decimal(rng.uniform(120_000, 220_000))
    deficit = provider_expense + operating - revenue
    support = deficit * Decimal(rng.uniform(0.5, 1.0)) if deficit > 0 else Decimal(0)
    return {
        "year": year,
        "total_revenue": _money(revenue),
        "provider_expense": _money(provider_expense),
        "operating_expense": _money(operating),
        "radiologist_fte": str(fte.quantize(CENTS)),
        "hospital_support_received": _money(support) if support else "",
    }


def rvu_detail_rows(providers: list[dict], year: int, seed: int) -> list[dict]:
    """Twelve months of CPT lines per provider whose work RVUs add up to the provider's
    provider_year figure (so the cross-check stays quiet)."""
    rng = random.Random(f"{seed}-rvu-{year}")
    rows = []
    for provider in providers:
        target = Decimal(provider["work_rvus"])
        lines = []
        for month in range(1, 13):
            for modality, codes in CPT_BY_MODALITY.items():
                for code, per_unit in codes:
                    units = rng.randint(5, 60)
                    lines.append([month, code, modality, units, Decimal(per_unit) * units])
        raw_total = sum(line[4] for line in lines)
        for month, code, modality, units, wrvu in lines:
            scaled = (wrvu * target / raw_total).quantize(Decimal("0.0001"))
            rows.append(
                {
                    "provider_id": provider["provider_id"],
                    "service_month": f"{year}-{month:02d}",
                    "cpt_code": code,
                    "modality": modality,
                    "units": units,
                    "work_rvus": str(scaled),
                }
            )
    return rows


def _import(practice, kind: str, period, rows: list[dict], reviewer) -> bool:
    if selectors.current_submission(practice=practice, kind=kind, year=period.year):
        return False
    upload = services.submission_upload(
        practice=practice,
        kind=kind,
        period=period,
        file=io.BytesIO(_csv(kind, rows)),
        filename=f"{practice.slug}-{kind}-{period.year}.csv",
        uploaded_by=None,
        allow_closed_period=True,
        queue=False,
    )
    submission = upload.submission
    if upload.created:
        submission = services.submission_process(submission_id=submission.pk) or submission
        submission.refresh_from_db()
    if submission.status == "rejected":
        raise RuntimeError(f"demo {kind} file of {practice.slug} was rejected")
    if submission.status in ("validated", "returned"):
        services.submission_submit(submission=submission, note="Demo data.")
        submission.refresh_from_db()
    if submission.status == "submitted":
        services.submission_approve(
            submission=submission, reviewer=reviewer, comment="Demo data, approved."
        )
    return True


def periods(today: date | None = None) -> list[ReportingPeriod]:
    today = today or timezone.localdate()
    found = []
    for year in range(today.year - YEARS_BACK, today.year + 1):
        status = "open" if year == today.year else "closed"
        period, _ = ReportingPeriod.objects.get_or_create(
            year=year, defaults={"status": status, "deadline": date(year + 1, 3, 31)}
        )
        found.append(period)
    return found


def seed(*, stdout=None, seed: int = 2026) -> int:
    """Load the demo submissions; returns how many files were imported."""
    all_periods = periods()
    finished = [
        p for p in all_periods if p.status == "closed" and p.year < timezone.localdate().year
    ]
    first_year = finished[0].year if finished else timezone.localdate().year
    reviewer = get_user_model().objects.filter(email="analyst@coalition.example").first()
    imported = 0
    practices = list(Practice.objects.filter(is_active=True).order_by("radiologist_fte", "name"))
    for index, practice in enumerate(practices):
        for period in finished:
            providers = provider_year_rows(practice, period.year, first_year, seed)
            imported += _import(practice, "provider_year", period, providers, reviewer)
            money = practice_financials_row(practice, providers, period.year, seed)
            imported += _import(practice, "practice_financials", period, [money], reviewer)
            if index < RVU_DETAIL_PRACTICES and period == finished[-1]:
                detail = rvu_detail_rows(providers, period.year, seed)
                imported += _import(practice, "rvu_detail", period, detail, reviewer)
    if stdout is not None:
        stdout.write(
            f"Demo submissions: {imported} file(s) imported; reporting periods "
            f"{all_periods[0].year}-{all_periods[-1].year}.\n"
        )
    return imported

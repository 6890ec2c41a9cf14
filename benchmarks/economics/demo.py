"""Demo economics for seed_demo: the typical range of SPEC section 5 and, for the first demo
practice, two saved scenarios and a few itemized asks for its latest year with approved
financials. Idempotent."""

from __future__ import annotations

from benchmarks.economics import selectors, services
from benchmarks.economics.calculations import EconomicsError
from benchmarks.economics.models import EconomicsScenario, SupportAsk

DEMO_ASKS = [
    ("recruitment_signing_bonus", "150000", "Two open positions"),
    ("interventional_call", "420000", "24/7 interventional call"),
    ("emergency_coverage", "380000", "Unfunded ED night reads"),
    ("app_support", "240000", "Two physician assistants"),
]


def seed(*, stdout=None) -> None:
    services.typical_range_seed()
    from practices.models import Practice

    practice = Practice.objects.filter(is_active=True).order_by("pk").first()
    if practice is None:
        return
    years = selectors.financial_years(practice=practice)
    if not years:
        return
    year = years[0]
    if EconomicsScenario.objects.for_practice(practice).filter(year=year).exists():
        return
    for name, settings in [
        ("Coalition median pay", {"comp_basis": "p50"}),
        ("Rate cut and one hire", {"revenue_per_rvu_change_pct": "-3", "fte_change": "1"}),
    ]:
        try:
            services.scenario_save(practice=practice, year=year, name=name, **settings)
        except EconomicsError:  # e.g. the year is not published yet: keep the others
            continue
    if not SupportAsk.objects.for_practice(practice).filter(year=year).exists():
        for category, amount, note in DEMO_ASKS:
            services.ask_create(
                practice=practice, year=year, category=category, amount=amount, note=note
            )
    if stdout is not None:
        stdout.write(f"Economics: demo scenarios and asks for {practice.name}, {year}.\n")

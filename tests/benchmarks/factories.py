"""Test data for benchmarks: approved, current submissions and their records, written directly
(the upload pipeline is not involved). Generated rows are returned too, so that tests can
compute the expected figures independently of the database."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from decimal import Decimal

import factory

from benchmarks.models import NO_RANK, BenchmarkRelease, ObservationSet, ReferenceFigure
from practices.models import Practice
from practices.submissions.models import (
    PracticeFinancialsRecord,
    Provider,
    ProviderYearRecord,
    ReportingPeriod,
    Submission,
)
from tests.factories import PracticeFactory

SUBSPECIALTIES = ["general", "abdominal", "breast", "neuro", "musculoskeletal"]
PARTNER_STATUSES = ["partner", "employed", "contractor", ""]
# One state per Census region, to spread practices over regions.
REGION_STATES = {"northeast": "NY", "midwest": "OH", "south": "TX", "west": "CA"}


class BenchmarkReleaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BenchmarkRelease

    year = 2023
    version = factory.Sequence(lambda n: n + 1)
    status = BenchmarkRelease.Status.DRAFT


class ReferenceFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferenceFigure

    metric = "wrvu_per_fte"
    statistic = "p50"
    value = Decimal("10693")
    source = factory.Sequence(lambda n: f"Survey {n}")
    survey_year = 2024


@dataclass
class ProviderRow:
    practice_id: int
    local_id: str
    pseudonym: str
    subspecialty: str
    partner_status: str
    clinical_fte: Decimal
    work_rvus: Decimal
    total_compensation: Decimal


@dataclass
class FinancialsRow:
    practice_id: int
    total_revenue: Decimal
    provider_expense: Decimal
    operating_expense: Decimal
    radiologist_fte: Decimal


@dataclass
class YearData:
    year: int
    providers: list[ProviderRow] = field(default_factory=list)
    financials: list[FinancialsRow] = field(default_factory=list)
    submissions: list[Submission] = field(default_factory=list)


def period(year: int) -> ReportingPeriod:
    return ReportingPeriod.objects.get_or_create(year=year)[0]


def submission(
    practice: Practice,
    *,
    kind: str,
    year: int,
    version: int = 1,
    status: str = Submission.Status.APPROVED,
    is_current: bool = True,
) -> Submission:
    digest = hashlib.sha256(f"{practice.pk}:{kind}:{year}:{version}".encode()).hexdigest()
    return Submission.objects.create(
        practice=practice,
        period=period(year),
        kind=kind,
        version=version,
        status=status,
        is_current=is_current,
        original_filename=f"{kind}-{year}-v{version}.csv",
        file=f"submissions/test/{digest}.csv",
        sha256=digest,
        size_bytes=1000,
    )


def provider_rows(
    practice: Practice, sub: Submission, rows: list[dict], *, year: int
) -> list[ProviderRow]:
    """Store provider-year records (and the practice's Provider rows with encrypted local ids).
    Each dict needs local_id, subspecialty, clinical_fte, work_rvus, total_compensation and may
    have partner_status."""
    generated, records = [], []
    existing = set(Provider.objects.for_practice(practice).values_list("pseudonym", flat=True))
    new_providers = []
    for row in rows:
        pseudonym = practice.pseudonymize(row["local_id"])
        if pseudonym not in existing:
            existing.add(pseudonym)
            new_providers.append(
                Provider(
                    practice=practice,
                    pseudonym=pseudonym,
                    local_id_encrypted=practice.encrypt_local_id(row["local_id"]),
                )
            )
        item = ProviderRow(
            practice_id=practice.pk,
            local_id=row["local_id"],
            pseudonym=pseudonym,
            subspecialty=row["subspecialty"],
            partner_status=row.get("partner_status", ""),
            clinical_fte=Decimal(str(row["clinical_fte"])),
            work_rvus=Decimal(str(row["work_rvus"])),
            total_compensation=Decimal(str(row["total_compensation"])),
        )
        generated.append(item)
        records.append(
            ProviderYearRecord(
                practice=practice,
                submission=sub,
                year=year,
                provider_pseudonym=pseudonym,
                subspecialty=item.subspecialty,
                clinical_fte=item.clinical_fte,
                work_rvus=item.work_rvus,
                total_compensation=item.total_compensation,
                partner_status=item.partner_status,
            )
        )
    Provider.objects.bulk_create(new_providers)
    ProviderYearRecord.objects.bulk_create(records, batch_size=2000)
    return generated


def financials_row(practice: Practice, sub: Submission, *, year: int, **values) -> FinancialsRow:
    row = FinancialsRow(practice_id=practice.pk, **{k: Decimal(str(v)) for k, v in values.items()})
    PracticeFinancialsRecord.objects.create(
        practice=practice,
        submission=sub,
        year=year,
        total_revenue=row.total_revenue,
        provider_expense=row.provider_expense,
        operating_expense=row.operating_expense,
        radiologist_fte=row.radiologist_fte,
    )
    return row


def random_provider(rng: random.Random, local_id: str, **overrides) -> dict:
    fte = rng.choice(
        [
            Decimal("0.4"),
            Decimal("0.5"),
            Decimal("0.8"),
            Decimal("1.0"),
            Decimal("1.0"),
            Decimal("1.2"),
        ]
    )
    row = {
        "local_id": local_id,
        "subspecialty": rng.choice(SUBSPECIALTIES),
        "partner_status": rng.choice(PARTNER_STATUSES),
        "clinical_fte": fte,
        "work_rvus": (Decimal(rng.randint(6000, 15000)) * fte).quantize(Decimal("0.01")),
        "total_compensation": (Decimal(rng.randint(380_000, 720_000)) * fte).quantize(
            Decimal("0.01")
        ),
    }
    if rng.random() < 0.03:
        row["work_rvus"] = Decimal("0")
    row.update(overrides)
    return row


def practices(n: int, *, prefix: str = "bench") -> list[Practice]:
    """n practices spread over the four regions and the size bands."""
    regions = list(REGION_STATES.values())
    sizes = ["12", "30", "70", "140"]
    return [
        PracticeFactory(
            name=f"{prefix.title()} Practice {i}",
            slug=f"{prefix}-{i}",
            state=regions[i % 4],
            radiologist_fte=Decimal(sizes[(i // 4) % 4]),
        )
        for i in range(n)
    ]


def coalition_year(
    members: list[Practice],
    *,
    year: int,
    providers_per_practice: int | list[int] = 12,
    seed: int = 1,
    financials: bool = True,
    version: int = 1,
) -> YearData:
    """Approved, current provider_year (and practice_financials) submissions for every practice,
    with random but plausible values."""
    rng = random.Random(seed * 10_000 + year)
    data = YearData(year=year)
    for index, practice in enumerate(members):
        count = (
            providers_per_practice[index]
            if isinstance(providers_per_practice, list)
            else providers_per_practice
        )
        sub = submission(practice, kind="provider_year", year=year, version=version)
        data.submissions.append(sub)
        rows = [random_provider(rng, f"{practice.slug.upper()}-{n:03d}") for n in range(count)]
        data.providers += provider_rows(practice, sub, rows, year=year)
        if financials:
            fin = submission(practice, kind="practice_financials", year=year, version=version)
            data.submissions.append(fin)
            fte = Decimal(rng.randint(1000, 20000)) / 100
            data.financials.append(
                financials_row(
                    practice,
                    fin,
                    year=year,
                    total_revenue=Decimal(rng.randint(5_000_000, 60_000_000)),
                    provider_expense=Decimal(rng.randint(4_000_000, 45_000_000)),
                    operating_expense=Decimal(rng.randint(1_000_000, 20_000_000)),
                    radiologist_fte=fte,
                )
            )
    return data


def practice_observations(
    release: BenchmarkRelease, practice: Practice, values: dict[str, str], *, source: str
) -> ObservationSet:
    """One practice-year observation of each metric (code -> value at 4 places) in a release,
    with the practice's region and size band and no ranks, stored as the engine stores it
    (values in ten-thousandths)."""
    return ObservationSet.objects.create(
        release=release,
        practice=practice,
        source=source,
        size=1,
        observation_keys="",
        dimensions=["region", "practice_size"],
        dimension_dictionaries=[[practice.region], [practice.size_band]],
        dimension_indexes="0,0",
        metrics=list(values),
        metric_values=",".join(str(int(Decimal(v) * 10_000)) for v in values.values()),
        rank_dimensions=["all", "region", "practice_size"],
        ranks=NO_RANK.to_bytes(2, "big") * (3 * len(values)),
    )

"""Synthetic quality files: for seed_demo (a few thousand exams per practice-year, so it stays
fast) and, at scale, for the benchmark script (perf/bench_quality.py). Generated over whole
columns with numpy and polars.

Turnaround is log-normal per patient class (ED around 25 minutes, inpatient around 2 hours,
outpatient around 5 hours; stat reads faster), scaled by a practice's own speed; peer review
scores follow RADPEER's usual mix (about 97% concur, 1-2% major discrepancies); the measures
sit around their targets (critical results ~93-99% timely, recall ~7-13%).
"""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime

import numpy as np
import polars as pl
from django.contrib.auth import get_user_model

from practices.models import Practice
from quality.schemas import EXAM_TURNAROUND, RADPEER_SCORES

EXAMS_PER_YEAR = 3_000
DEMO_YEARS = 2  # the last finished years get quality data
CLASS_MIX = (("ED", 0.30, 25.0), ("inpatient", 0.25, 120.0), ("outpatient", 0.45, 300.0))
MODALITY_MIX = (("XR", 0.40), ("CT", 0.25), ("US", 0.15), ("MR", 0.10), ("MG", 0.06))
MODALITY_MIX += (("NM", 0.02), ("IR", 0.02))
SCORE_MIX = (0.968, 0.012, 0.011, 0.005, 0.004)


def exam_frame(*, year: int, exams: int, seed: int, speed: float = 1.0) -> pl.DataFrame:
    """exams rows: exam_id, modality, patient_class, priority, completed_at, finalized_at (as
    UTC epoch seconds in the last two), completed within the year (UTC, away from its ends)."""
    rng = np.random.default_rng(seed)
    classes = [c for c, _, _ in CLASS_MIX]
    class_index = rng.choice(len(classes), size=exams, p=[w for _, w, _ in CLASS_MIX])
    medians = np.array([m for _, _, m in CLASS_MIX])[class_index] * speed
    stat = np.where(class_index == 0, rng.random(exams) < 0.7, rng.random(exams) < 0.15)
    minutes = rng.lognormal(np.log(medians * np.where(stat, 0.7, 1.0)), 0.6)
    start = datetime(year, 1, 2, tzinfo=UTC).timestamp()
    end = datetime(year, 12, 30, tzinfo=UTC).timestamp()
    completed = rng.integers(int(start), int(end), size=exams)
    finalized = completed + np.maximum(np.round(minutes * 60), 1).astype(np.int64)
    modalities = [m for m, _ in MODALITY_MIX]
    weights = np.array([w for _, w in MODALITY_MIX])
    modality_index = rng.choice(len(modalities), size=exams, p=weights / weights.sum())
    return pl.DataFrame(
        {
            "exam_id": [f"A{year}{seed % 1000:03d}{i:08d}" for i in range(exams)]
            if exams < 200_000
            else pl.Series(np.arange(exams)).cast(pl.String),
            "modality": np.array(modalities)[modality_index],
            "patient_class": np.array(classes)[class_index],
            "priority": np.where(stat, "stat", "routine"),
            "completed_at": completed,
            "finalized_at": finalized,
        }
    )


def exam_turnaround_csv(frame: pl.DataFrame) -> bytes:
    """The file of an exam frame, times in ISO 8601 with Z."""
    if frame["exam_id"].dtype != pl.String:
        frame = frame.with_columns(pl.col("exam_id").cast(pl.String))
    text = frame.with_columns(
        *[
            pl.from_epoch(pl.col(c), time_unit="s").dt.strftime("%Y-%m-%dT%H:%M:%SZ").alias(c)
            for c in ("completed_at", "finalized_at")
        ]
    ).select(EXAM_TURNAROUND.column_names)
    from coalition import spreadsheets

    return spreadsheets.csv_bytes(text.iter_rows(), header=text.columns, line_terminator="\n")


def peer_review_rows(*, providers: list[str], year: int, seed: int, rate: float) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    mix = list(SCORE_MIX)
    mix[0] -= rate - 0.02
    mix[2:] = [share * rate / 0.02 for share in SCORE_MIX[2:]]
    for provider in providers:
        for month in range(1, 13):
            for modality in rng.sample(["CT", "MR", "XR", "US"], 2):
                reviews = rng.randint(4, 20)
                counts = np.random.default_rng(rng.randrange(1 << 30)).multinomial(
                    reviews, np.array(mix) / sum(mix)
                )
                for score, count in zip(RADPEER_SCORES, counts, strict=True):
                    if count:
                        rows.append(
                            {
                                "provider_id": provider,
                                "service_month": f"{year}-{month:02d}",
                                "modality": modality,
                                "score": score,
                                "count": int(count),
                            }
                        )
    return rows


def quality_measure_rows(*, year: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    critical = rng.randint(300, 1500)
    screens = rng.randint(4000, 30000)
    responses = rng.randint(800, 5000)
    return [
        {
            "year": year,
            "measure_code": "critical_result_10min",
            "numerator": round(critical * rng.uniform(0.90, 0.995)),
            "denominator": critical,
        },
        {
            "year": year,
            "measure_code": "mammography_recall",
            "numerator": round(screens * rng.uniform(0.07, 0.13)),
            "denominator": screens,
        },
        {
            "year": year,
            "measure_code": "patient_experience",
            "numerator": round(responses * rng.uniform(0.62, 0.88)),
            "denominator": responses,
        },
    ]


def seed(*, stdout=None, seed: int = 2026) -> int:
    """Quality files for every demo practice and the last finished years; returns how many
    files were imported. Idempotent like the other demo data."""
    from practices.submissions import demo as submissions_demo
    from practices.submissions.models import ProviderYearRecord

    finished = [
        p
        for p in submissions_demo.periods()
        if p.status == "closed" and p.year < datetime.now(UTC).year
    ][-DEMO_YEARS:]
    reviewer = get_user_model().objects.filter(email="analyst@coalition.example").first()
    imported = 0
    practices = list(Practice.objects.filter(is_active=True).order_by("radiologist_fte", "name"))
    for index, practice in enumerate(practices):
        speed = 0.7 + 0.6 * random.Random(seed + index).random()
        rate = 0.008 + 0.03 * random.Random(seed * 3 + index).random()
        for period in finished:
            local_seed = seed + 1000 * index + period.year
            exams = exam_frame(year=period.year, exams=EXAMS_PER_YEAR, seed=local_seed, speed=speed)
            imported += _import_bytes(
                practice, "exam_turnaround", period, exam_turnaround_csv(exams), reviewer
            )
            pseudonyms = set(
                ProviderYearRecord.objects.for_practice(practice)
                .filter(year=period.year)
                .values_list("provider_pseudonym", flat=True)[:40]
            )
            providers = sorted(
                submissions_demo.selectors.local_ids(
                    practice=practice, pseudonyms=pseudonyms
                ).values()
            ) or [f"RAD-{i:03d}" for i in range(1, 9)]
            rows = peer_review_rows(
                providers=providers, year=period.year, seed=local_seed, rate=rate
            )
            imported += submissions_demo._import(practice, "peer_review", period, rows, reviewer)
            measures = quality_measure_rows(year=period.year, seed=local_seed)
            imported += submissions_demo._import(
                practice, "quality_measure", period, measures, reviewer
            )
    if stdout is not None:
        stdout.write(f"Demo quality data: {imported} file(s) imported.\n")
    return imported


def _import_bytes(practice, kind, period, content: bytes, reviewer) -> bool:
    from practices.submissions import selectors, services

    if selectors.current_submission(practice=practice, kind=kind, year=period.year):
        return False
    upload = services.submission_upload(
        practice=practice,
        kind=kind,
        period=period,
        file=io.BytesIO(content),
        filename=f"{practice.slug}-{kind}-{period.year}.csv",
        allow_closed_period=True,
        queue=False,
    )
    submission = upload.submission
    if upload.created:
        services.submission_process(submission_id=submission.pk)
        submission.refresh_from_db()
    if submission.status == "rejected":
        raise RuntimeError(f"demo {kind} file of {practice.slug} was rejected")
    if submission.status == "validated":
        services.submission_submit(submission=submission, note="Demo data.")
        services.submission_approve(submission=submission, reviewer=reviewer, comment="Demo data.")
    return True

"""The upload kinds this app owns (SPEC section 3): compensation and productivity per
radiologist, RVU detail and the practice's financials. Registered from SubmissionsConfig.ready().

The functions are named by path (kinds.py): storage and checks import polars and numpy, which
a process that only sets Django up (any command, a worker) should not pay for."""

from __future__ import annotations

from practices.submissions import schemas
from practices.submissions.kinds import UploadKind, register

STORAGE = "practices.submissions.storage"
CHECKS = "practices.submissions.checks"

PROVIDER_YEAR = register(
    UploadKind(
        schema=schemas.PROVIDER_YEAR,
        record_model="submissions.ProviderYearRecord",
        store=f"{STORAGE}:store_provider_year",
        warnings=(
            f"{CHECKS}:outlier_warnings",
            f"{CHECKS}:provider_year_cross_check",
            f"{CHECKS}:provider_year_year_over_year",
        ),
        records_template="submissions/records/schema_table.html",
        order=10,
    )
)

RVU_DETAIL = register(
    UploadKind(
        schema=schemas.RVU_DETAIL,
        record_model="submissions.RvuDetailRecord",  # a view over RvuDetailMonth
        stored_in=("submissions.RvuDetailMonth",),
        store=f"{STORAGE}:store_rvu_detail",
        warnings=(f"{CHECKS}:rvu_detail_cross_check", f"{CHECKS}:rvu_detail_year_over_year"),
        records_template="submissions/records/schema_table.html",
        order=20,
    )
)

PRACTICE_FINANCIALS = register(
    UploadKind(
        schema=schemas.PRACTICE_FINANCIALS,
        record_model="submissions.PracticeFinancialsRecord",
        store=f"{STORAGE}:store_practice_financials",
        warnings=(
            f"{CHECKS}:outlier_warnings",
            f"{CHECKS}:practice_financials_year_over_year",
        ),
        records_template="submissions/records/schema_table.html",
        order=30,
    )
)

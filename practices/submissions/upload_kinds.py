"""The upload kinds this app owns (SPEC section 3): compensation and productivity per
radiologist, RVU detail and the practice's financials. Registered from SubmissionsConfig.ready()."""

from __future__ import annotations

from practices.submissions import checks, schemas, storage
from practices.submissions.kinds import UploadKind, register

PROVIDER_YEAR = register(
    UploadKind(
        schema=schemas.PROVIDER_YEAR,
        record_model="submissions.ProviderYearRecord",
        store=storage.store_provider_year,
        warnings=(
            checks.outlier_warnings,
            checks.provider_year_cross_check,
            checks.year_over_year(
                fields=("work_rvus", "total_compensation", "clinical_fte"),
                key="provider_pseudonym",
            ),
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
        store=storage.store_rvu_detail,
        warnings=(checks.rvu_detail_cross_check, checks.rvu_detail_year_over_year),
        records_template="submissions/records/schema_table.html",
        order=20,
    )
)

PRACTICE_FINANCIALS = register(
    UploadKind(
        schema=schemas.PRACTICE_FINANCIALS,
        record_model="submissions.PracticeFinancialsRecord",
        store=storage.store_practice_financials,
        warnings=(
            checks.outlier_warnings,
            checks.year_over_year(
                fields=(
                    "total_revenue",
                    "provider_expense",
                    "operating_expense",
                    "radiologist_fte",
                ),
                key=None,
            ),
        ),
        records_template="submissions/records/schema_table.html",
        order=30,
    )
)

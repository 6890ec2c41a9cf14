"""import_contracts FILE: the contract catalog (vendors, contracts, tiers) from a CSV or XLSX
file with one row per tier. Idempotent; all or nothing; errors with row and column."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from coalition.purchasing import services


class Command(BaseCommand):
    help = (
        "Import the contract catalog: CSV or XLSX, one row per tier, columns vendor, "
        "contract_number, category, starts_on, ends_on, admin_fee_pct, tier_name, "
        "tier_min_annual_commitment, tier_discount_pct (optional admin_fee_disclosed_amount)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        outcome = services.contracts_import(path=file)
        if not outcome.ok:
            self.stderr.write(f"The file was not imported ({len(outcome.issues)} errors):")
            for issue in outcome.issues:
                where = f"row {issue.row_number}" if issue.row_number else "file"
                column = f", {issue.column}" if issue.column else ""
                self.stderr.write(f"  {where}{column} [{issue.code}]: {issue.message}")
            raise CommandError("Nothing was imported.", returncode=2)
        self.stdout.write(
            f"Vendors added: {outcome.vendors_created}; contracts added: "
            f"{outcome.contracts_created}, changed: {outcome.contracts_updated}, unchanged: "
            f"{outcome.unchanged}; tiers added: {outcome.tiers_created}, changed: "
            f"{outcome.tiers_updated}."
        )

"""The annual admin-fee disclosure of one member as PDF (ReportLab, pure Python) or XLSX."""

from __future__ import annotations

import io

from coalition.purchasing import exports
from coalition.purchasing.selectors import Disclosure

COLUMNS = [
    "vendor",
    "contract_number",
    "category",
    "year",
    "spend",
    "admin_fee_pct",
    "admin_fees",
    "disclosed_amount",
]

INTRO = (
    "Vendors under the coalition's group purchasing contracts pay the coalition an "
    "administrative fee, a percentage of what members buy. This statement lists, for each "
    "contract, what your practice bought in the year and the fee the vendor paid the coalition "
    "on those purchases (spend x the contract's fee percent). Each fee is set in the "
    "coalition's written agreement with the vendor; for fees above 3% the amount the agreement "
    "states is shown too."
)


def rows(disclosure: Disclosure) -> list[dict]:
    return [
        {
            "vendor": line.vendor,
            "contract_number": line.contract_number,
            "category": line.category,
            "year": disclosure.year,
            "spend": line.spend,
            "admin_fee_pct": line.admin_fee_pct,
            "admin_fees": line.admin_fees,
            "disclosed_amount": line.disclosed_amount,
        }
        for line in disclosure.lines
    ]


def xlsx_bytes(disclosure: Disclosure) -> bytes:
    return exports.file_bytes(rows(disclosure), COLUMNS, "xlsx", title="admin fee disclosure")


def pdf_bytes(disclosure: Disclosure) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import inch
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=letter,
        title=f"Administrative fee disclosure {disclosure.year}",
        author="Radiology Coalition",
        leftMargin=0.7 * inch,
        rightMargin=0.7 * inch,
    )
    styles = getSampleStyleSheet()
    story = [
        Paragraph(f"Administrative fee disclosure, {disclosure.year}", styles["Title"]),
        Paragraph(escape(disclosure.practice.name), styles["Heading2"]),
        Paragraph(INTRO, styles["BodyText"]),
        Spacer(1, 0.2 * inch),
    ]
    header = ["Vendor", "Contract", "Category", "Spend", "Fee %", "Fee paid", "Disclosed"]
    table_rows = [header]
    for line in disclosure.lines:
        table_rows.append(
            [
                Paragraph(escape(line.vendor), styles["BodyText"]),
                line.contract_number,
                line.category,
                f"${line.spend:,.2f}",
                f"{line.admin_fee_pct.normalize():f}%",
                f"${line.admin_fees:,.2f}",
                f"${line.disclosed_amount:,.2f}" if line.disclosed_amount is not None else "",
            ]
        )
    table_rows.append(
        [
            "Total",
            "",
            "",
            f"${disclosure.total_spend:,.2f}",
            "",
            f"${disclosure.total_fees:,.2f}",
            "",
        ]
    )
    table = Table(
        table_rows,
        repeatRows=1,
        colWidths=[
            1.7 * inch,
            1.0 * inch,
            0.8 * inch,
            1.0 * inch,
            0.55 * inch,
            0.9 * inch,
            0.85 * inch,
        ],
    )
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1f3a5f")),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                ("ALIGN", (3, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.grey),
                ("LINEABOVE", (0, -1), (-1, -1), 1, colors.black),
            ]
        )
    )
    story.append(table)
    story.append(Spacer(1, 0.25 * inch))
    if disclosure.by_vendor:
        story.append(Paragraph("By vendor", styles["Heading3"]))
        vendor_rows = [["Vendor", "Spend", "Fees paid to the coalition"]] + [
            [Paragraph(escape(name), styles["BodyText"]), f"${spend:,.2f}", f"${fees:,.2f}"]
            for name, spend, fees in disclosure.by_vendor
        ]
        vendors = Table(vendor_rows, repeatRows=1, colWidths=[3.2 * inch, 1.5 * inch, 2.0 * inch])
        vendors.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                    ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                    ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.grey),
                ]
            )
        )
        story.append(vendors)
    else:
        story.append(
            Paragraph("No purchases under coalition contracts this year.", styles["BodyText"])
        )
    document.build(story)
    return buffer.getvalue()

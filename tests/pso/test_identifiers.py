"""The identifier check of narratives: what kind and where, never the value."""

from __future__ import annotations

import pytest

from quality.pso.identifiers import find_identifiers, identifier_message

FOUND = [
    ("Mr. Jones fell from the table", "phi_name", "Mr. Jones"),
    ("Seen by Dr Smith after the scan", "phi_name", "Dr Smith"),
    ("patient John Smith had hives", "phi_name", "patient John Smith"),
    ("On March 3 the injector failed", "phi_date", "March 3"),
    ("happened on 14 March", "phi_date", "14 March"),
    ("Scanned 3/14 late", "phi_date", "3/14"),
    ("Scanned 03/14/2025 late", "phi_date", "03/14/2025"),
    ("Scanned 2025-03-14 late", "phi_date", "2025-03-14"),
    ("dose report of 12/2024", "phi_date", "12/2024"),
    ("SSN 123-45-6789 on the form", "phi_ssn", "123-45-6789"),
    ("call back 555-123-4567", "phi_phone", "555-123-4567"),
    ("mailed to a.b@example.org", "phi_email", "a.b@example.org"),
    ("MRN 12345678 on the requisition", "phi_mrn", "MRN 12345678"),
    ("lives at 12 Oak Street", "phi_address", "12 Oak Street"),
    ("see http://pacs.example.org/study", "phi_url", "http://pacs.example.org/study"),
]


@pytest.mark.parametrize(("text", "code", "value"), FOUND)
def test_identifier_found_with_its_kind_and_range(text, code, value):
    findings = find_identifiers(text)
    spans = [text[f.start : f.end] for f in findings if f.code == code]
    assert any(value in span or span in value for span in spans), (findings, spans)


@pytest.mark.parametrize(
    "text",
    [
        "Contrast reaction in 2024 after CT; resolved.",
        "1.5 T scanner, 3-4 mL extravasated in the forearm.",
        "MRI at 3 T; the ED physician was paged at 14:05.",
        "Reported in Q3 2025 by the technologist on duty.",
        "Wrong side marked on the requisition, caught at time-out.",
    ],
)
def test_clinical_prose_is_not_flagged(text):
    assert find_identifiers(text) == []


def test_message_gives_kind_and_characters_never_the_value():
    text = "Mr. Jones, SSN 123-45-6789, on March 3"
    message = identifier_message(find_identifiers(text))
    assert "Jones" not in message and "6789" not in message and "March" not in message
    assert "a person's name at characters 1-9" in message
    assert "Social Security" in message and "a date" in message

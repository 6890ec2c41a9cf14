"""Writes one benchmark's figures into its own section of docs/performance.md."""

from __future__ import annotations

import os
import platform
import re
from datetime import UTC, datetime
from pathlib import Path

PERFORMANCE_MD = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
HEADER = """# Performance

Figures written by `make perf` (each benchmark rewrites only its own section). Speed targets are
ratios against a baseline measured in the same run on the same machine, because absolute times
vary from machine to machine.
"""


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def write_section(name: str, markdown: str) -> None:
    """Replace (or append) the section between the markers of `name`."""
    PERFORMANCE_MD.parent.mkdir(parents=True, exist_ok=True)
    text = PERFORMANCE_MD.read_text() if PERFORMANCE_MD.exists() else HEADER
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = (
        f"<!-- bench:{name} -->\n{markdown.strip()}\n\n"
        f"_Measured {stamp} on {machine()}._\n<!-- /bench:{name} -->"
    )
    pattern = re.compile(
        rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S
    )
    text = (
        pattern.sub(lambda _: block, text)
        if pattern.search(text)
        else f"{text.rstrip()}\n\n{block}\n"
    )
    PERFORMANCE_MD.write_text(text)

"""`make perf`: runs every perf/bench_*.py module's main(), each writing its section of
docs/performance.md. `python -m perf.run_all NAME` runs one (e.g. ingest)."""

from __future__ import annotations

import importlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coalition.settings")
    # The files the benchmarks upload (gigabytes of generated data) are stored in a folder of
    # their own, removed at the end, not among the site's uploads; the benchmarks' commands
    # and servers inherit it.
    var = Path(os.environ.get("COALITION_VAR_DIR", ROOT / "var"))
    var.mkdir(parents=True, exist_ok=True)
    media = Path(tempfile.mkdtemp(prefix="perf-media-", dir=var))
    os.environ["COALITION_MEDIA_DIR"] = str(media)
    try:
        import django

        django.setup()
        names = argv[1:] or sorted(
            p.stem[len("bench_") :] for p in Path(__file__).parent.glob("bench_*.py")
        )
        for name in names:
            print(f"== perf: {name}", flush=True)
            importlib.import_module(f"perf.bench_{name}").main()
    finally:
        shutil.rmtree(media, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

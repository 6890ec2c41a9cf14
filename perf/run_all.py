"""`make perf`: runs every perf/bench_*.py module's main(), each writing its section of
docs/performance.md. `python -m perf.run_all NAME` runs one (e.g. ingest)."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coalition.settings")
    import django

    django.setup()
    names = argv[1:] or sorted(
        p.stem[len("bench_") :] for p in Path(__file__).parent.glob("bench_*.py")
    )
    for name in names:
        print(f"== perf: {name}", flush=True)
        importlib.import_module(f"perf.bench_{name}").main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

"""Where a cells API request spends its time: `python -m perf.profile_request [N]`.

Builds the benchmarks coalition of perf/bench_benchmarks.py in a database of its own, publishes
its releases, then sends N cells requests through Django's test client (the whole middleware
and DRF path, no HTTP server) with a practice API key and with a member's session, and prints
for each the queries one request makes and a cProfile of the N requests. A developer's tool,
not part of `make perf`.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys


def profile(client, paths, headers, label: str, n: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for path in paths[:20]:  # warm the per-process caches, as a running server has them
        assert client.get(path, **headers).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(paths[0], **headers).status_code == 200
    print(f"\n=== {label}: {len(queries)} queries per request")
    for query in queries.captured_queries:
        print("   ", query["sql"][:160])
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(n):
        client.get(paths[i % len(paths)], **headers)
    profiler.disable()
    if os.environ.get("PROFILE_DUMP"):
        profiler.dump_stats(f"{os.environ['PROFILE_DUMP']}.{label.split()[0].replace('/', '')}")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    print(f"    {stats.total_tt / n * 1000:.2f} ms per request (under the profiler)")
    stats.sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(45)
    print(out.getvalue())


def main(n: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coalition.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from perf import bench_benchmarks as bench

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"] = {
        **connection.settings_dict.get("TEST", {}),
        "NAME": f"{bench.PERF_DATABASE}_profile",
    }
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        sys.path.insert(0, str(bench.ROOT))
        data = bench.create_coalition()
        bench.run_releases()
        keys = bench.api_keys(data["practices"])
        sessions = bench.member_sessions(data["practices"])
        paths = bench.cell_paths()
        client = Client()
        key_headers = {"HTTP_AUTHORIZATION": keys[0]["Authorization"]}
        profile(client, paths, key_headers, "API key", n)
        client = Client()
        client.cookies["sessionid"] = sessions[0]["Cookie"].split("=", 1)[1]
        profile(client, paths, {}, "member session", n)
        me = Client()
        profile(me, ["/api/v1/me/"], key_headers, "/api/v1/me/ with an API key", n)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)

"""The first request after the database dropped a persistent connection (a restart, a failover)
is served, not answered 500: CONN_HEALTH_CHECKS replaces the dead connection first."""

from __future__ import annotations

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import RequestFactory

from tests.faults import raw_connection, wait_for

# Runs again in .ci/run's second pass, against the machine's PostgreSQL server and Redis.
pytestmark = pytest.mark.services


def _get(handler, path: str, cookie: str) -> int:
    # Through the WSGI handler, as gunicorn calls it: the test client skips the connection
    # checks Django makes at the start of each request.
    environ = RequestFactory()._base_environ(PATH_INFO=path, HTTP_COOKIE=f"sessionid={cookie}")
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split()[0])

    b"".join(handler(environ, start_response))
    return answer["status"]


@pytest.mark.django_db(transaction=True)
def test_first_request_after_the_connection_dropped_is_served(client, submitter_a):
    assert connection.settings_dict["CONN_MAX_AGE"] > 0  # connections are kept between requests
    client.force_login(submitter_a)
    cookie = client.cookies["sessionid"].value
    handler = WSGIHandler()
    assert _get(handler, "/api/v1/me/", cookie) == 200
    pid = connection.connection.info.backend_pid  # the connection kept for the next request
    with raw_connection() as killer:
        killer.execute("SELECT pg_terminate_backend(%s)", [pid])
        wait_for(
            lambda: (
                not killer.execute(
                    "SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]
                ).fetchone()
            ),
            what="the backend to end",
        )
    assert _get(handler, "/api/v1/me/", cookie) == 200
    assert connection.connection.info.backend_pid != pid

"""Browser tests: Playwright drives Debian's Chromium (headless) against pytest-django's
live server. No browser is downloaded: `make browsers` (scripts/install-browser.sh) installs
the distribution's `chromium` package.

Playwright's sync API keeps an asyncio event loop running in the test thread, which makes
Django refuse ORM calls from that thread. The check is relaxed while the browser runs, and
the browser is stopped when the last test of this folder has finished, so the rest of the
suite keeps Django's safety check.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Blocked on purpose: ReDoc's attribution logo from its CDN (the site loads nothing from
# elsewhere; the component hides the image when it fails).
EXPECTED_BLOCKS = ("https://cdn.redoc.ly/",)
# Every wait (element, URL, navigation) gives up after this many milliseconds.
WAIT_MS = 10_000


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browsers` to install Debian's chromium.")
    async_unsafe_before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        # launch() gives the browser a fresh, temporary user-data directory.
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()
    if async_unsafe_before is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = async_unsafe_before


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    """A tab in a fresh browser context (no cookies), opened on the live server."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(WAIT_MS)
    context.set_default_navigation_timeout(WAIT_MS)
    tab = context.new_page()
    # Every page of every browser test must run under the Content-Security-Policy: Chromium
    # reports each blocked script, style or resource on the console.
    violations: list[str] = []

    def note_violation(message) -> None:
        text = message.text
        if "Content Security Policy" in text and not any(ok in text for ok in EXPECTED_BLOCKS):
            violations.append(text)

    tab.on("console", note_violation)
    yield tab
    context.close()
    assert violations == [], "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture(autouse=True)
def fresh_counters_and_totp_tolerance(settings) -> Iterator[None]:
    """Each walk starts without sign-in rate-limit counters or used TOTP codes left behind by
    earlier tests (they live in the process-wide cache, shared with the live server thread).

    A code is computed in the test and checked by the server a moment later; one step of
    tolerance keeps a code computed at the end of a 30-second step from being refused."""
    from django.core.cache import cache

    cache.clear()
    settings.MFA_TOTP_TOLERANCE = 1
    yield
    cache.clear()

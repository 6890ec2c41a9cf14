"""What a person does in the browser, shared by the browser tests."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pyotp
from playwright.sync_api import Browser, Download, Page, expect

SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


def path_is(path: str) -> re.Pattern[str]:
    """A URL pattern for `wait_for_url`/`to_have_url`: this path, with any query string."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}(\?.*)?$")


def screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Keep a picture (the whole page unless told otherwise) under test-results/screenshots/
    for a person to look at."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=full_page)


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now for this secret."""
    return pyotp.TOTP(secret).now()


def wrong_totp_code(secret: str) -> str:
    """A six-digit code that no nearby time step of this secret produces."""
    totp = pyotp.TOTP(secret)
    now = time.time()
    valid = {totp.at(now, counter_offset=step) for step in range(-2, 3)}
    candidate = int(totp.now())
    while f"{candidate:06d}" in valid:
        candidate = (candidate + 1) % 1_000_000
    return f"{candidate:06d}"


def fill_sign_in_form(page: Page, live_server, email: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def enter_totp_code(page: Page, code: str) -> None:
    """Answer the two-factor step that follows the password."""
    expect(page).to_have_url(path_is("/accounts/2fa/authenticate/"))
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign In", exact=True).click()


def sign_in(page: Page, live_server, email: str, password: str, totp_secret: str | None = None):
    """Sign in through the sign-in page; with `totp_secret`, also pass the two-factor step.
    Returns once the browser has left the sign-in pages."""
    fill_sign_in_form(page, live_server, email, password)
    if totp_secret is not None:
        enter_totp_code(page, totp_code(totp_secret))
    expect(page).not_to_have_url(re.compile(r"/accounts/(login|2fa/authenticate)/"))


def sign_out(page: Page) -> None:
    """Press the header's "Sign out" button; the site answers with the sign-in page."""
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(path_is("/accounts/login/"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def open_page(browser: Browser, base_url: str) -> Page:
    """A tab in another fresh browser context, for a second person in the same walk: same size
    and waits as the `page` fixture. Close it with `tab.context.close()`."""
    from tests.browser.conftest import WAIT_MS

    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(WAIT_MS)
    context.set_default_navigation_timeout(WAIT_MS)
    return context.new_page()


def downloaded_text(download: Download) -> str:
    """The text of a file the browser downloaded."""
    return Path(download.path()).read_text(encoding="utf-8-sig")

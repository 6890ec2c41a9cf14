"""Signing in from the browser: password, the two-factor step, refusals."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    enter_totp_code,
    fill_sign_in_form,
    path_is,
    screenshot,
    sign_in,
    totp_code,
    wrong_totp_code,
)
from tests.factories import TEST_PASSWORD, enable_totp

pytestmark = pytest.mark.browser


def test_wrong_password_is_refused_and_does_not_sign_in(page, live_server, admin_a):
    fill_sign_in_form(page, live_server, admin_a.email, "not-the-password-at-all")

    expect(page).to_have_url(path_is("/accounts/login/"))
    expect(page.get_by_role("alert")).to_contain_text("not correct")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    screenshot(page, "sign-in-refused")

    page.goto("/practices/alpha/")
    expect(page).to_have_url(path_is("/accounts/login/"))


def test_anonymous_visit_of_a_practice_page_leads_to_sign_in(page, live_server, practice_a):
    page.goto("/practices/alpha/")

    expect(page).to_have_url(path_is("/accounts/login/"))
    assert "next=/practices/alpha/" in page.url
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_label("Email")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()
    screenshot(page, "sign-in")


def test_member_with_totp_is_asked_for_the_code_and_a_wrong_code_is_refused(
    page, live_server, submitter_a
):
    secret = enable_totp(submitter_a)

    fill_sign_in_form(page, live_server, submitter_a.email, TEST_PASSWORD)
    expect(page).to_have_url(path_is("/accounts/2fa/authenticate/"))
    screenshot(page, "two-factor-step")

    enter_totp_code(page, wrong_totp_code(secret))
    expect(page).to_have_url(path_is("/accounts/2fa/authenticate/"))
    expect(page.get_by_text("Incorrect code.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    enter_totp_code(page, totp_code(secret))
    expect(page).to_have_url(path_is("/practices/alpha/"))
    expect(page.get_by_role("heading", name="Alpha Radiology")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_contain_text(submitter_a.email)


def test_sign_in_helper_passes_the_two_factor_step(page, live_server, viewer_a):
    secret = enable_totp(viewer_a)

    sign_in(page, live_server, viewer_a.email, TEST_PASSWORD, totp_secret=secret)

    expect(page).to_have_url(path_is("/practices/alpha/"))
    expect(page.get_by_role("button", name="Sign out")).to_contain_text(viewer_a.email)

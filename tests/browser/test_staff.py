"""Coalition staff must set up two-factor before anything else, then reach the staff pages."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from tests.browser.helpers import path_is, screenshot, sign_in, sign_out, totp_code
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_analyst_sets_up_two_factor_then_uses_the_staff_pages(
    page, live_server, make_staff, admin_a
):
    analyst = make_staff("analyst", totp=False)
    assert analyst.has_perm("practices.view_member_directory"), (
        "the analyst group must grant the member directory (coalition.services)"
    )

    sign_in(page, live_server, analyst.email, TEST_PASSWORD)

    # Staff without two-factor are sent to set it up, at once: the password they have just
    # entered to sign in is recent enough, so they are not asked for it again.
    expect(page).to_have_url(path_is("/accounts/2fa/totp/activate/"))
    expect(page.get_by_role("status")).to_contain_text(
        "Coalition staff must set up two-factor authentication"
    )
    expect(page.get_by_role("heading", name="Confirm Access")).to_have_count(0)
    expect(page.get_by_role("heading", name="Activate Authenticator App")).to_be_visible()
    expect(page.locator("img[src^='data:image/svg+xml']")).to_be_visible()  # the QR code
    screenshot(page, "two-factor-setup")
    page.goto("/staff/members/")
    expect(page).to_have_url(path_is("/accounts/2fa/totp/activate/"))

    secret = page.get_by_label("Authenticator secret").input_value()
    assert len(secret) == 32
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()

    expect(page).to_have_url(path_is("/accounts/2fa/recovery-codes/"))
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    assert Authenticator.objects.filter(user=analyst, type=Authenticator.Type.TOTP).exists()

    # The member directory: practices and their people.
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Member directory", exact=True
    ).click()
    expect(page).to_have_url(path_is("/staff/members/"))
    expect(page.get_by_role("heading", name="Member directory")).to_be_visible()
    admin_row = page.get_by_role("row", name=admin_a.email)
    expect(admin_row).to_contain_text("Alpha Radiology")
    expect(admin_row).to_contain_text("Practice admin")
    page.get_by_role("search", name="Filter members").get_by_label("Search").fill("nobody-here")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("cell", name="No members match.")).to_be_visible()
    page.get_by_label("Search").fill("alpha")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("row", name=admin_a.email)).to_be_visible()
    screenshot(page, "staff-member-directory")

    # The audit trail, and the analyst's own sign-in among the sign-ins.
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Audit trail", exact=True
    ).click()
    expect(page).to_have_url(path_is("/staff/audit/"))
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    page.get_by_role("link", name="Sign-ins", exact=True).click()
    expect(page).to_have_url(path_is("/staff/audit/"))
    assert "tab=sign-ins" in page.url
    own_sign_in = page.get_by_role("row", name=analyst.email).filter(has_text="Signed in")
    expect(own_sign_in).to_have_count(1)
    expect(own_sign_in).to_contain_text("127.0.0.1")
    screenshot(page, "staff-audit-sign-ins")

    # Next time, the password is followed by the two-factor step.
    sign_out(page)
    sign_in(page, live_server, analyst.email, TEST_PASSWORD, totp_secret=secret)
    expect(page).to_have_url(path_is("/"))
    expect(page.get_by_role("heading", name=f"Welcome, {analyst.full_name}")).to_be_visible()
    staff_links = page.locator("section", has=page.get_by_role("heading", name="Coalition staff"))
    expect(staff_links.get_by_role("link", name="Member directory", exact=True)).to_be_visible()
    expect(staff_links.get_by_role("link", name="Audit trail", exact=True)).to_be_visible()
    screenshot(page, "staff-home")
    page.goto("/staff/audit/?tab=sign-ins")
    expect(page.get_by_role("row", name=analyst.email).filter(has_text="Signed in")).to_have_count(
        2
    )

"""The interactive API documentation (Swagger UI from drf-spectacular-sidecar's static files)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import path_is, screenshot, sign_in
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_api_docs_render_the_operation_list(page, live_server, admin_a):
    sign_in(page, live_server, admin_a.email, TEST_PASSWORD)
    # Swagger UI is assembled in the browser from static files and the schema: none may fail.
    failed_requests = []

    def note_failure(response):
        if response.status >= 400:
            failed_requests.append(f"{response.status} {response.url}")

    page.on("response", note_failure)
    page.on("requestfailed", lambda request: failed_requests.append(f"failed {request.url}"))

    page.get_by_role("navigation", name="Main").get_by_role("link", name="API", exact=True).click()

    expect(page).to_have_url(path_is("/api/v1/docs/"))
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        "Radiology Coalition Data Platform API"
    )
    operations = page.locator(".opblock-summary-path")
    expect(operations.first).to_be_visible()
    expect(page.locator(".opblock-summary-path[data-path='/api/v1/me/']")).to_be_visible()
    assert operations.count() > 1
    assert failed_requests == []
    screenshot(page, "api-docs")

    page.locator(".opblock-summary", has=page.locator("[data-path='/api/v1/me/']")).click()
    expect(page.get_by_role("button", name="Try it out")).to_be_visible()


def test_redoc_renders_the_operations_under_the_content_security_policy(page, live_server, admin_a):
    sign_in(page, live_server, admin_a.email, TEST_PASSWORD)
    page.goto(f"{live_server.url}/api/v1/redoc/")
    expect(page.get_by_role("heading", name="Radiology Coalition Data Platform API")).to_be_visible(
        timeout=30_000
    )
    operation = page.locator("h2", has_text="benchmarks_cells_list")
    expect(operation).to_be_visible()
    # The first screen: ReDoc lays the whole API out as one page, far too long to capture whole.
    screenshot(page, "api-redoc", full_page=False)

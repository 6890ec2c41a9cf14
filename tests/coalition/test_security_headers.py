"""Content-Security-Policy on every page (no inline script anywhere), and
`Cache-Control: no-store` on every signed-in page and every API response."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template.loader import get_template

from practices import services as practice_services

ROOT = Path(__file__).resolve().parents[2]
SITE_TEMPLATE_DIRS = [
    path
    for package in ("coalition", "practices", "benchmarks", "quality")
    for path in (ROOT / package).rglob("templates")
]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _assert_strict_scripts(response):
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    header = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in " ".join(policy["script-src"]) and "unsafe-eval" not in header


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


# --- Content-Security-Policy ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/practices/alpha/", "/practices/alpha/submissions/", "/"]
)
def test_every_page_has_a_policy_without_inline_script(client_as, admin_a, client, path):
    response = client_as(admin_a).get(path)
    assert response.status_code in (200, 302)
    _assert_strict_scripts(response)
    assert _policy(response)["style-src"] == ["'self'"]
    _assert_strict_scripts(client.get("/accounts/login/"))


def test_the_api_docs_pages_add_only_styles_and_workers(client_as, admin_a):
    client = client_as(admin_a)
    for path in ("/api/v1/docs/", "/api/v1/redoc/"):
        response = client.get(path)
        assert response.status_code == 200
        _assert_strict_scripts(response)
        assert "'unsafe-inline'" in _policy(response)["style-src"]
        assert not INLINE_SCRIPT.search(response.content.decode()), path
    # Swagger UI's start-up script is a separate, same-origin request.
    page = client.get("/api/v1/docs/").content.decode()
    script_url = re.search(r'<script src="([^"]*script=[^"]*)"', page).group(1)
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def test_no_template_of_the_site_has_inline_script_or_event_handlers():
    templates = [path for folder in SITE_TEMPLATE_DIRS for path in folder.rglob("*.html")]
    assert len(templates) > 20
    offences = []
    for path in templates:
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, JAVASCRIPT_URL):
            offences += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
        # Inline styles would need 'unsafe-inline' in style-src.
        offences += [
            f"{path.relative_to(ROOT)}: style attribute" for _ in re.finditer(r"\sstyle=", text)
        ]
    assert offences == []


def test_the_template_check_sees_inline_script_and_handlers():
    sample = '<script>alert(1)</script><button onclick="go()">x</button><a href="javascript:x">'
    assert INLINE_SCRIPT.search(sample) and EVENT_HANDLER.search(sample)
    assert JAVASCRIPT_URL.search(sample)
    assert not INLINE_SCRIPT.search('<script src="/static/a.js" defer></script>')


def test_the_docs_templates_are_the_sites_own(db):
    # drf-spectacular's own templates carry inline script and style: ours replace them.
    for name in ("drf_spectacular/swagger_ui.html", "drf_spectacular/redoc.html"):
        origin = Path(get_template(name).origin.name)
        assert origin.is_relative_to(ROOT / "coalition" / "templates"), origin


# --- Cache-Control: no-store --------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/practices/alpha/",
        "/practices/alpha/members/",
        "/practices/alpha/submissions/",
        "/practices/submission-templates/provider_year.csv",
        "/benchmarks/",
        "/accounts/email/",
    ],
)
def test_every_signed_in_page_is_no_store(client_as, admin_a, path):
    response = client_as(admin_a).get(path)
    assert response.status_code < 500
    assert _no_store(response), (path, response.get("Cache-Control"))


def test_staff_pages_are_no_store(client_as, analyst):
    response = client_as(analyst).get("/staff/members/")
    assert response.status_code == 200 and _no_store(response)


@pytest.mark.parametrize(
    "path", ["/api/v1/me/", "/api/v1/practices/", "/api/v1/schema/", "/api/v1/nope/"]
)
def test_every_api_response_is_no_store(api_as, api_client, admin_a, path):
    assert _no_store(api_as(admin_a).get(path))
    assert _no_store(api_client.get(path))  # anonymous: 401/403/404, still no-store


def test_api_key_responses_are_no_store(api_client, admin_a, practice_a):
    _, key = practice_services.api_key_create(practice=practice_a, name="k", created_by=admin_a)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    response = api_client.get("/api/v1/practices/alpha/submissions/")
    assert response.status_code == 200 and _no_store(response)


def test_an_anonymous_page_keeps_its_own_caching(client, db):
    # Only signed-in pages and the API are forced; the policy itself is everywhere.
    response = client.get("/accounts/password/reset/")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response

"""403 and 404 pages: the site's layout, a sign-in link for visitors, and no traceback in the
log for a refusal."""

from __future__ import annotations

import logging


def test_404_uses_the_layout_and_offers_sign_in_to_visitors(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'class="site-header"' in page and "Page not found" in page
    assert '/accounts/login/?next=/no-such-page/"' in page


def test_404_of_another_practice_uses_the_layout_for_members(client_as, admin_b, practice_a):
    response = client_as(admin_b).get(f"/practices/{practice_a.slug}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'class="site-header"' in page and "Sign out" in page
    assert "/accounts/login/" not in page


def test_403_uses_the_layout_and_logs_no_traceback(client_as, viewer_a, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client_as(viewer_a).get("/staff/audit/")
    assert response.status_code == 403
    page = response.content.decode()
    assert 'class="site-header"' in page and "not allowed" in page
    refusals = [r for r in caplog.records if r.name == "django.request"]
    assert refusals and all(r.exc_info is None for r in refusals)
    assert "Forbidden" in refusals[0].getMessage()


def test_403_for_a_visitor_offers_sign_in(rf, db):
    from django.contrib.auth.models import AnonymousUser

    from coalition.views import permission_denied

    request = rf.get("/staff/audit/")
    request.user = AnonymousUser()
    response = permission_denied(request)
    assert response.status_code == 403
    assert "/accounts/login/?next=/staff/audit/" in response.content.decode()

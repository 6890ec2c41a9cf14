"""The staff home lists every staff page the role may open, and says plainly what is not
built yet."""

from __future__ import annotations

import re

import pytest

ANALYST_PAGES = {
    "/staff/submissions/review/",
    "/staff/submissions/periods/",
    "/staff/benchmarks/",
    "/staff/benchmarks/rules/",
    "/staff/benchmarks/references/",
    "/staff/members/",
    "/staff/audit/",
}


def _staff_links(page: str) -> set[str]:
    section = page.split('id="staff-h"', 1)[1].split("</section>", 1)[0]
    return set(re.findall(r'href="([^"]+)"', section))


def test_the_analyst_home_lists_all_analyst_pages(client_as, analyst):
    client = client_as(analyst)
    page = client.get("/").content.decode()
    links = _staff_links(page)
    assert links == ANALYST_PAGES
    for link in links:  # and each one opens for the analyst
        assert client.get(link).status_code == 200, link


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        (
            "pso_staff",
            {
                "/staff/members/",
                "/staff/submissions/review/",
                "/staff/pso/",
                "/staff/pso/actions/",
                "/staff/pso/trends/",
                "/staff/pso/lessons/",
            },
        ),
        (
            "purchasing",
            {
                "/staff/members/",
                "/staff/submissions/review/",
                "/staff/purchasing/",
                "/staff/purchasing/contracts/",
                "/staff/purchasing/vendors/",
                "/staff/purchasing/enrollments/",
                "/staff/purchasing/tier-tracking/",
                "/staff/purchasing/alerts/",
            },
        ),
    ],
)
def test_pso_and_purchasing_staff_get_their_pages(client_as, make_staff, group, expected):
    client = client_as(make_staff(group))
    links = _staff_links(client.get("/").content.decode())
    assert links == expected
    for link in links:
        assert client.get(link).status_code == 200, link

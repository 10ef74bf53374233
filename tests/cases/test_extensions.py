"""What other apps register through cases/extensions.py, and that the case page and lists
use it: sections in order (left out when they have nothing to show), navigation by role,
list annotations without a query per row."""

import pytest

from cases import extensions
from tests.care.conftest import put_in_care
from tests.conftest import make_family_case

pytestmark = pytest.mark.django_db

REGISTERED_SECTIONS = [  # (order, template), as each app's AppConfig.ready() registers them
    (1, "contacts/_case_section.html"),  # leads the page (below extensions.LEAD_ORDER)
    (15, "responses/_case_section.html"),
    (20, "caseplans/_case_section.html"),
    (25, "care/_case_section.html"),
    (26, "care/_family_time_section.html"),
    (30, "services/_case_section.html"),
    (40, "cases/_attachments_section.html"),
]


def test_the_apps_register_their_case_page_sections_in_this_order():
    registered = sorted(extensions._sections.values(), key=lambda s: s.order)
    assert [(s.order, s.template) for s in registered] == REGISTERED_SECTIONS


def test_the_case_page_renders_every_registered_section_in_order_the_leading_ones_first(client, cast):
    case = make_family_case(cast.worker)
    put_in_care(case.children[0])  # the family-time section is about children in care
    client.force_login(cast.worker)
    response = client.get(f"/cases/{case.reference}/")
    used = [t.name for t in response.templates]
    for _, template in REGISTERED_SECTIONS:
        assert template in used, template
    positions = [used.index(template) for _, template in REGISTERED_SECTIONS]
    assert positions == sorted(positions)
    html = response.content.decode()
    assert html.index('id="contact-h"') < html.index('class="summary"') < html.index('id="responses-h"')


def test_a_section_with_nothing_to_show_is_left_out_and_sections_follow_their_order(monkeypatch, cast):
    case = make_family_case(cast.worker)
    monkeypatch.setattr(extensions, "_sections", {})
    extensions.case_section(50, "late.html", lambda request, case: {"n": 2})
    extensions.case_section(10, "early.html", lambda request, case: {"n": 1})
    extensions.case_section(30, "empty.html", lambda request, case: None)
    rendered = extensions.render_case_sections(None, case)
    assert [template for template, _ in rendered] == ["early.html", "late.html"]
    assert rendered[0][1] == {"case": case, "n": 1}


def test_registering_a_section_twice_keeps_one(monkeypatch, cast):
    monkeypatch.setattr(extensions, "_sections", {})
    for _ in range(2):
        extensions.case_section(10, "once.html", lambda request, case: {})
    assert len(extensions._sections) == 1


@pytest.mark.parametrize("role,expected,absent", [
    ("worker", {"Dashboard", "My visits", "Drafts", "Service directory"}, {"Approvals", "Scheduler runs"}),
    ("leader", {"Dashboard", "Approvals", "Case plans due"}, {"My visits", "Scheduler runs"}),
    ("manager", {"Dashboard"}, {"My visits", "Approvals", "Scheduler runs"}),
    ("administrator", {"Scheduler runs"}, {"My visits", "Approvals"}),
])
def test_navigation_shows_each_role_its_links(client, cast, role, expected, absent):
    user = getattr(cast, role)
    labels = {link.label for link in extensions.nav_links(user)}
    assert expected <= labels and not (absent & labels)
    client.force_login(user)
    nav = client.get("/cases/").content.decode().split('id="main-nav">')[1].split("</nav>")[0]
    for label in expected:
        assert f">{label}</a>" in nav


def test_list_annotations_registered_by_other_apps_reach_the_rows(client, cast):
    make_family_case(cast.worker)
    assert extensions._list_annotations, "the contacts app annotates this month's contact status"
    client.force_login(cast.worker)
    row = client.get("/cases/").context["page"][0]
    assert hasattr(row, "contact_status")

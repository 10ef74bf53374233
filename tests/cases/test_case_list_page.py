"""What each row of a case list shows."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from cases.models import LegalStatus
from tests.conftest import make_family_case

pytestmark = pytest.mark.django_db


def _row(html: str, reference: str) -> str:
    match = re.search(rf"<tr>\s*<td[^>]*><a href=\"[^\"]*\">{reference}</a>.*?</tr>", html, re.S)
    assert match, reference
    return match.group(0)


def test_siblings_with_the_same_legal_status_show_it_once(client, cast):
    case = make_family_case(cast.worker, children=3, intervention="short_term_custody")
    client.force_login(cast.worker)
    row = _row(client.get("/cases/").content.decode(), case.reference)
    assert row.count("Short-term custody order") == 1


def test_different_statuses_of_siblings_are_each_shown(client, cast):
    case = make_family_case(cast.worker, children=2, intervention="ipa")
    LegalStatus.objects.filter(member=case.children[1]).update(intervention_type="supervision_order")
    client.force_login(cast.worker)
    row = _row(client.get("/cases/").content.decode(), case.reference)
    assert "Intervention with parental agreement; Supervision order" in row


def test_only_statuses_in_force_today_are_shown(client, cast):
    case = make_family_case(cast.worker, children=1, intervention="ipa")
    LegalStatus.objects.filter(member=case.children[0]).update(effective_to=timezone.localdate() - dt.timedelta(days=1))
    client.force_login(cast.worker)
    row = _row(client.get("/cases/").content.decode(), case.reference)
    assert "Intervention with parental agreement" not in row
    assert "—" in row


def test_a_row_names_the_children_by_first_name_with_risk_worker_and_team(client, cast):
    case = make_family_case(cast.worker, children=2, risk="high")
    client.force_login(cast.worker)
    row = _row(client.get("/cases/").content.decode(), case.reference)
    assert "Child0, Child1" in row
    assert "High" in row and str(cast.worker) in row and cast.team_a.name in row
    assert "Testfamily" not in row  # family names stay on the case page


def test_the_administrator_lands_on_their_work_not_an_empty_case_list(client, cast):
    client.force_login(cast.administrator)
    page = client.get("/", follow=True).content.decode()
    assert 'href="/admin/"' in page and "Scheduler runs" in page
    assert "no cases are listed here" in page and 'id="case-rows"' not in page

"""Restricted cases: once a team leader restricts a case, only its allocated caseworker, the
leaders of its team and the staff named on it see it; everyone else gets 404 everywhere (pages,
sub-pages, API, search, lists, drill-downs, CSV), alerts reach only those who see it, and the
dashboards' numbers still count it without naming it."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from alerts.models import Alert, AlertRecipient
from alerts.selectors import alerts_for, unread_count
from alerts.services import AlertSpec, alert_raise, alerts_raise_many
from cases import services
from cases.models import Case, RestrictedCaseStaff, Role
from cases.permissions import inbound_reviewers, share_case, visible_cases
from cases.selectors import case_record_history
from cases.services import CaseworkError
from contacts import compliance, dashboards
from contacts.services import ContactInput, contact_record
from tests import factories as f
from tests.conftest import make_family_case

# Who sees the restricted case (cast.worker's, team A, office 1) — and who is told it does not exist.
SEES = {"worker", "leader", "named"}
NOT_SEEN = ["colleague", "support_officer", "other_team_worker", "other_team_leader", "manager",
            "other_office_manager", "administrator"]
ROLES = sorted(SEES) + NOT_SEEN


@pytest.fixture
def restricted(cast, cases):
    """cases["own"] restricted by its team leader, with one colleague of team A named on it;
    the support officer is shared on it individually (guardian), which no longer suffices."""
    case = cases["own"]
    cast.named = f.UserFactory(team=cast.team_a, username="named")
    share_case(case, cast.support_officer)
    services.case_restrict(user=cast.leader, case=case, reason="The mother works in this office.")
    services.case_restricted_staff_add(user=cast.leader, case=case, staff=cast.named)
    case.refresh_from_db()
    case.contact = contact_record(user=cast.worker, case=case, data=ContactInput(
        occurred_at=timezone.now(), kind="face_to_face", made_by=cast.worker, participants=case.children))
    return case


def _status(role):
    return 200 if role in SEES else 404


@pytest.mark.parametrize("role", ROLES)
def test_a_restricted_case_and_its_sub_pages_answer_404_to_all_but_worker_leader_and_named(
        client, cast, restricted, role):
    client.force_login(getattr(cast, role))
    ref, month = restricted.reference, timezone.localdate().strftime("%Y-%m")
    from contacts.selectors import ensure_month_result

    ensure_month_result(restricted, timezone.localdate())
    for url in [f"/cases/{ref}/", f"/contacts/case/{ref}/timeline/", f"/contacts/case/{ref}/month/{month}/",
                f"/contacts/{restricted.contact.pk}/", f"/cases/{ref}/members/{restricted.children[0].pk}/edit/",
                f"/api/cases/{ref}/", f"/api/contacts/{restricted.contact.pk}/",
                f"/api/members/{restricted.children[0].pk}/"]:
        assert client.get(url).status_code == _status(role), (role, url)


@pytest.mark.parametrize("role", ROLES)
def test_lists_search_and_the_api_list_name_a_restricted_case_only_to_those_who_see_it(
        client, cast, restricted, role):
    client.force_login(getattr(cast, role))
    ref = restricted.reference
    listed = role in SEES
    link = f'href="/cases/{ref}/"'  # the search box echoes the query, so look for the row's link
    if role != "administrator":  # administrators have no case list at all
        assert (link in client.get("/cases/?scope=").content.decode()) == listed, role
        assert (link in client.get(f"/cases/?scope=&q={ref}").content.decode()) == listed, role
        assert (link in client.get("/cases/?scope=&q=Child0").content.decode()) == listed, role
    api = client.get("/api/cases/?page_size=200").json()
    assert (ref in {row["reference"] for row in api["results"]}) == listed, role
    assert set(visible_cases(getattr(cast, role)).filter(pk=restricted.pk)) == ({restricted} if listed else set())


def test_the_badge_and_the_api_say_restricted_to_those_who_see_it(client, cast, restricted, cases):
    client.force_login(cast.named)
    page = client.get(f"/cases/{restricted.reference}/").content.decode()
    assert '<span class="tag restricted">Restricted</span>' in page
    assert "Restricted access</a>" not in page  # only the team leader manages it
    assert client.get(f"/api/cases/{restricted.reference}/").json()["restricted"] is True
    assert client.get(f"/api/cases/{cases['team'].reference}/").json()["restricted"] is False
    listing = client.get("/cases/?scope=").content.decode()
    assert listing.count('class="tag restricted"') == 1
    client.force_login(cast.leader)
    assert "Restricted access</a>" in client.get(f"/cases/{restricted.reference}/").content.decode()


def test_a_named_manager_sees_it_and_loses_it_when_taken_off(client, cast, restricted):
    client.force_login(cast.manager)
    assert client.get(f"/cases/{restricted.reference}/").status_code == 404
    services.case_restricted_staff_add(user=cast.leader, case=restricted, staff=cast.manager)
    assert client.get(f"/cases/{restricted.reference}/").status_code == 200
    services.case_restricted_staff_remove(user=cast.leader, case=restricted, staff=cast.manager)
    assert client.get(f"/cases/{restricted.reference}/").status_code == 404


def test_reallocation_follows_the_worker_and_leaves_the_previous_one_out(client, cast, restricted):
    services.case_reallocate(user=cast.leader, case=restricted, caseworker=cast.colleague, reason="Leave cover")
    client.force_login(cast.colleague)
    assert client.get(f"/cases/{restricted.reference}/").status_code == 200
    client.force_login(cast.worker)
    assert client.get(f"/cases/{restricted.reference}/").status_code == 404
    services.case_restricted_staff_add(user=cast.leader, case=restricted, staff=cast.worker)
    assert client.get(f"/cases/{restricted.reference}/").status_code == 200


def test_lifting_the_restriction_restores_ordinary_access_and_clears_the_list(client, cast, restricted):
    services.case_unrestrict(user=cast.leader, case=restricted)
    restricted.refresh_from_db()
    assert not restricted.restricted and restricted.restricted_reason == "" and restricted.restricted_by is None
    assert not RestrictedCaseStaff.objects.filter(case=restricted).exists()
    client.force_login(cast.colleague)
    assert client.get(f"/cases/{restricted.reference}/").status_code == 200
    history = [(e.record, e.action) for e in case_record_history(restricted)]
    assert ("Named staff of the restricted case", "created") in history
    assert ("Named staff of the restricted case", "deleted") in history
    changes = [c for e in case_record_history(restricted) if e.record == "Case" for c in e.changes]
    assert any(c.startswith("restricted reason: The mother works in this office.") for c in changes)


# --- Dashboards: counted, never named ----------------------------------------------------

@pytest.fixture
def month_results(cast, cases, restricted):
    month = timezone.localdate().replace(day=1)
    compliance.case_months_recompute(cases=Case.objects.all(), month=month)
    return month


def test_the_dashboard_counts_a_restricted_case_and_the_drill_down_does_not_name_it(client, cast, restricted,
                                                                                    month_results):
    month = month_results
    team_a = dashboards.compliance_by(cast.manager, "team", [month])[cast.team_a.name][month]
    total = team_a.met + team_a.short + team_a.not_assessable
    assert total == 2  # team A's two cases: own (restricted) and team
    client.force_login(cast.manager)
    page = client.get(f"/contacts/dashboard/cases/?month={month:%Y-%m}&team={cast.team_a.name}")
    body = page.content.decode()
    assert restricted.reference not in body
    assert page.context["count"] == total - 1 and page.context["not_listed"] == 1
    assert "1 case-month of restricted case you may not see" in body
    rows = list(csv.reader(io.StringIO(client.get(
        f"/contacts/dashboard/cases/?month={month:%Y-%m}&team={cast.team_a.name}&export=csv").content.decode())))
    assert len(rows) == total and restricted.reference not in {row[0] for row in rows}
    exported = client.get("/contacts/dashboard/?export=team").content.decode()
    assert cast.team_a.name in exported and restricted.reference not in exported
    client.force_login(cast.leader)
    page = client.get(f"/contacts/dashboard/cases/?month={month:%Y-%m}&team={cast.team_a.name}")
    assert restricted.reference in page.content.decode() and page.context["not_listed"] == 0


# --- Alerts ------------------------------------------------------------------------------

def test_alerts_about_a_restricted_case_reach_only_those_who_see_it(cast, restricted):
    everyone = [getattr(cast, role) for role in ROLES]
    alert = alert_raise(key="t:1", kind="other", title=f"About {restricted.reference}", recipients=everyone,
                        case=restricted)
    assert set(AlertRecipient.objects.filter(alert=alert).values_list("user__username", flat=True)) == SEES
    alerts_raise_many([AlertSpec(key="t:2", kind="other", title="Bulk", case_id=restricted.pk,
                                 recipient_ids=tuple(u.pk for u in everyone))])
    recipients = AlertRecipient.objects.filter(alert__key="t:2").values_list("user__username", flat=True)
    assert set(recipients) == SEES


def test_an_alert_raised_before_the_restriction_is_no_longer_shown_to_the_excluded(cast, cases):
    case = cases["own"]
    alert_raise(key="t:3", kind="other", title=f"About {case.reference}", recipients=[cast.colleague, cast.worker],
                case=case)
    assert alerts_for(cast.colleague).count() == 1 and unread_count(cast.colleague) == 1
    services.case_restrict(user=cast.leader, case=case, reason="In the news")
    assert alerts_for(cast.colleague).count() == 0 and unread_count(cast.colleague) == 0
    assert alerts_for(cast.worker).count() == 1
    assert Alert.objects.count() == 1


def test_shortfall_escalation_skips_managers_a_restricted_case_excludes(cast, restricted, settings):
    import datetime as dt

    alert = alert_raise(key="short:1", kind="contact_shortfall", title="Short", recipients=[cast.worker],
                        case=restricted)
    Alert.objects.filter(pk=alert.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    assert compliance.escalate_shortfalls() == 1
    assert not AlertRecipient.objects.filter(alert=alert, user=cast.manager).exists()


def test_inbound_messages_about_a_restricted_case_go_only_to_its_team_leaders(cast, restricted):
    from responses.models import InboundMessage

    share_case(restricted, cast.other_team_leader)
    message = InboundMessage(payload={"case_reference": restricted.reference})
    assert set(inbound_reviewers(message)) == {cast.leader}


# --- Services ----------------------------------------------------------------------------

@pytest.mark.parametrize("role,error", [
    ("worker", PermissionDenied), ("named", PermissionDenied), ("colleague", PermissionDenied),
    ("manager", PermissionDenied), ("other_team_leader", Http404), ("administrator", Http404),
])
def test_only_a_leader_of_the_team_restricts_or_names_staff(cast, cases, role, error):
    cast.named = f.UserFactory(team=cast.team_a, username="named")
    case = cases["own"]
    with pytest.raises(error):
        services.case_restrict(user=getattr(cast, role), case=case, reason="Why")
    case.refresh_from_db()
    assert not case.restricted
    services.case_restrict(user=cast.leader, case=case, reason="Why")
    for write in (lambda: services.case_restricted_staff_add(user=getattr(cast, role), case=case, staff=cast.colleague),
                  lambda: services.case_unrestrict(user=getattr(cast, role), case=case)):
        with pytest.raises((PermissionDenied, Http404)):
            write()
    case.refresh_from_db()
    assert case.restricted and not RestrictedCaseStaff.objects.exists()


@pytest.mark.parametrize("reason", ["", "   ", "x" * 301])
def test_restricting_needs_a_reason_and_saves_nothing_without_one(cast, cases, reason):
    case = cases["own"]
    with pytest.raises(CaseworkError, match="reason|300 characters"):
        services.case_restrict(user=cast.leader, case=case, reason=reason)
    case.refresh_from_db()
    assert not case.restricted and case.restricted_reason == "" and case.history.count() == 1


def test_naming_staff_refuses_the_wrong_people_and_an_unrestricted_case(cast, cases):
    case = cases["own"]
    with pytest.raises(CaseworkError, match="Restrict access to the case before"):
        services.case_restricted_staff_add(user=cast.leader, case=case, staff=cast.colleague)
    services.case_restrict(user=cast.leader, case=case, reason="Why")
    inactive = f.UserFactory(team=cast.team_a, is_active=False)
    for staff in (cast.administrator, inactive, cast.worker, cast.leader, None):
        with pytest.raises(CaseworkError, match="does not already see"):
            services.case_restricted_staff_add(user=cast.leader, case=case, staff=staff)
    services.case_restricted_staff_add(user=cast.leader, case=case, staff=cast.colleague)
    with pytest.raises(CaseworkError, match="does not already see"):
        services.case_restricted_staff_add(user=cast.leader, case=case, staff=cast.colleague)
    with pytest.raises(CaseworkError, match="not named"):
        services.case_restricted_staff_remove(user=cast.leader, case=case, staff=cast.manager)
    with pytest.raises(CaseworkError, match="already restricted"):
        services.case_restrict(user=cast.leader, case=case, reason="Again")
    assert list(RestrictedCaseStaff.objects.values_list("user", "added_by")) == [(cast.colleague.pk, cast.leader.pk)]


# --- The page ----------------------------------------------------------------------------

@pytest.mark.parametrize("role,expected", [
    ("leader", 200), ("worker", 403), ("colleague", 403), ("manager", 403), ("support_officer", 403),
    ("other_team_leader", 404), ("other_office_manager", 404), ("administrator", 404),
])
def test_the_restricted_access_page_is_the_team_leaders(client, cast, cases, role, expected):
    client.force_login(getattr(cast, role))
    url = f"/cases/{cases['own'].reference}/restricted/"
    assert client.get(url).status_code == expected
    assert client.post(url, {"do": "restrict", "reason": "Why"}).status_code == (302 if expected == 200 else expected)


def test_once_restricted_the_page_is_404_to_those_it_excludes(client, cast, restricted):
    client.force_login(cast.colleague)
    assert client.get(f"/cases/{restricted.reference}/restricted/").status_code == 404
    client.force_login(cast.named)
    assert client.get(f"/cases/{restricted.reference}/restricted/").status_code == 403


def test_the_page_shows_bad_input_and_saves_nothing(client, cast, cases):
    case = cases["own"]
    client.force_login(cast.leader)
    url = f"/cases/{case.reference}/restricted/"
    response = client.post(url, {"do": "restrict", "reason": "  "})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    case.refresh_from_db()
    assert not case.restricted
    client.post(url, {"do": "restrict", "reason": "A relative of staff"})
    response = client.post(url, {"do": "add", "staff": str(cast.administrator.pk)})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    response = client.post(url, {"do": "add", "staff": "not-a-number"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    response = client.post(url, {"do": "remove", "staff": str(cast.colleague.pk)}, follow=True)
    assert "This member of staff is not named on the case." in response.content.decode()
    assert client.post(url, {"do": "something-else"}).status_code == 200
    assert not RestrictedCaseStaff.objects.exists()
    response = client.post(url, {"do": "add", "staff": str(cast.colleague.pk)}, follow=True)
    assert "Staff member named." in response.content.decode()
    assert RestrictedCaseStaff.objects.filter(case=case, user=cast.colleague, added_by=cast.leader).exists()


# --- Query counts --------------------------------------------------------------------------

def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ["leader", "named", "manager"])
def test_the_case_list_does_not_grow_with_restricted_cases_or_named_staff(client, cast, role):
    cast.named = f.UserFactory(team=cast.team_a, username="named")
    client.force_login(getattr(cast, role))

    def restrict_more(count):
        for _ in range(count):
            case = make_family_case(cast.worker)
            services.case_restrict(user=cast.leader, case=case, reason="Why")
            for staff in (cast.named, f.UserFactory(team=cast.team_b, role=Role.CASEWORKER)):
                services.case_restricted_staff_add(user=cast.leader, case=case, staff=staff)

    restrict_more(2)
    small = _queries(client, "/cases/?scope=")
    restrict_more(6)
    assert _queries(client, "/cases/?scope=") == small


def test_the_digest_does_not_e_mail_an_alert_about_a_case_restricted_since(cast, cases, mailoutbox):
    from alerts.digest import digests_send

    case = cases["own"]
    for user in (cast.colleague, cast.worker):
        user.email = f"{user.username}@example.org"
        user.save()
    alert_raise(key="t:4", kind="other", title=f"About {case.reference}", recipients=[cast.colleague, cast.worker],
                case=case)
    services.case_restrict(user=cast.leader, case=case, reason="In the news")
    assert digests_send() == 1
    assert [m.to for m in mailoutbox] == [[cast.worker.email]] and case.reference in mailoutbox[0].body


def test_staff_a_write_may_name_on_a_restricted_case_are_those_who_see_it(cast, restricted):
    from cases.permissions import records_in_case

    staff = set(records_in_case(cast.leader, restricted, "staff"))
    assert {cast.worker, cast.leader, cast.named} <= staff
    assert cast.colleague not in staff and cast.support_officer not in staff

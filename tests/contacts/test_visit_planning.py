"""Planning the month's visits: plan from what is still needed, reschedule and cancel with a
reason, missed visits (and "at risk"), "My visits" over any range, the week and month
calendar, and the iCalendar feed behind a revocable token."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from contacts import calendars, rules, visits
from contacts.models import CalendarFeed, CaseMonth, ScheduledVisit, VisitStatus
from contacts.recompute import case_months_recompute
from tests.cases.test_access import VISIBLE
from tests.conftest import make_family_case
from tests.contacts.conftest import visit_form
from tests.contacts.test_rules import facts, in_home_contacts_exactly_meeting, support

TZ = ZoneInfo(settings.TIME_ZONE)
# A Tuesday early in a month, in agency time: every "later this month" fits.
NOW = dt.datetime(2026, 3, 10, 9, 30, tzinfo=TZ)
TODAY = NOW.date()


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def family(clock, cast):
    return make_family_case(cast.worker, children=2, parents=1, risk="moderate")


def _plan(case, user, *, day=TODAY + dt.timedelta(days=3), time=dt.time(10, 0), members=None, **more):
    return visits.visit_plan(user=user, case=case, day=day, time=time,
                             members=members if members is not None else [case.children[0]],
                             place=more.pop("place", "home"), **more)


def _names(case):
    people = [m.person for m in case.children + case.parents]
    return [p.given_name for p in people] + [p.family_name for p in people]


# --- Pure: the calendar grid and the iCalendar text ------------------------------------------------

def test_a_month_grid_holds_whole_weeks_from_monday_covering_every_day_of_the_month():
    weeks = calendars.month_weeks(dt.date(2026, 3, 10))
    assert weeks[0][0] == dt.date(2026, 2, 23) and weeks[-1][-1] == dt.date(2026, 4, 5)
    assert all(len(week) == 7 and week[0].weekday() == 0 for week in weeks)
    assert calendars.shifted(dt.date(2026, 12, 31), calendars.MONTH, 1) == dt.date(2027, 1, 1)
    assert calendars.shifted(dt.date(2026, 3, 10), calendars.WEEK, -1) == dt.date(2026, 3, 3)


def test_ical_text_escapes_folds_at_75_octets_and_ends_lines_with_crlf():
    event = calendars.FeedEvent(uid="visit-1@x", start=dt.datetime(2026, 3, 12, 10, 0, tzinfo=TZ),
                                summary="Home visit: ABC-1, a; b\\c\nd", description="é" * 80)
    text = calendars.ical_calendar([event], now=NOW, name="Visits")
    assert text.endswith("END:VCALENDAR\r\n") and "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    assert "SUMMARY:Home visit: ABC-1\\, a\\; b\\\\c\\nd" in lines
    assert "DTSTART:20260312T000000Z" in lines  # 10:00 in Brisbane is midnight UTC
    assert f"DTSTAMP:{NOW.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}" in lines and "UID:visit-1@x" in lines
    unfolded = text.replace("\r\n ", "")
    assert "DESCRIPTION:" + "é" * 80 in unfolded


def test_a_visit_without_a_time_is_an_event_of_the_whole_day():
    text = calendars.ical_calendar([calendars.FeedEvent(uid="u", start=dt.date(2026, 3, 12), summary="S")],
                                   now=NOW, name="V")
    assert "DTSTART;VALUE=DATE:20260312\r\n" in text and "DTEND;VALUE=DATE:20260313\r\n" in text


def test_a_missed_visit_puts_a_short_month_at_risk_even_with_another_visit_planned():
    short = rules.evaluate(facts([support(), support(day=2)], risk="moderate"))
    assert not rules.at_risk(short, dt.date(2026, 3, 2), True)
    assert rules.at_risk(short, dt.date(2026, 3, 2), True, visit_missed=True)
    met = rules.evaluate(facts(in_home_contacts_exactly_meeting(1, 1, 1, 1), risk="low"))
    assert not rules.at_risk(met, dt.date(2026, 3, 2), True, visit_missed=True)


# --- Planning from "still needed" ---------------------------------------------------------------------

def test_the_case_page_offers_to_plan_a_visit_for_each_line_still_needed(client, cast, family):
    client.force_login(cast.worker)
    page = client.get(family.get_absolute_url()).content.decode()
    assert "Still needed this month" in page
    assert f"/contacts/case/{family.reference}/visits/plan/?requirement=" in page


def test_a_visit_planned_from_a_line_starts_with_its_person_and_place(client, cast, family):
    client.force_login(cast.worker)
    client.get(family.get_absolute_url())  # computes this month's result
    result = CaseMonth.objects.get(case=family, month=TODAY.replace(day=1))
    line = next(line for line in result.lines if line["member_id"] == family.children[0].pk)
    page = client.get(f"/contacts/case/{family.reference}/visits/plan/?requirement={line['code']}"
                      f"&member={line['member_id']}")
    assert page.status_code == 200
    assert page.context["form"].initial["members"] == [family.children[0].pk]
    assert page.context["form"].initial["place"] == "home"
    answer = client.post(f"/contacts/case/{family.reference}/visits/plan/", {
        "scheduled_for": (TODAY + dt.timedelta(days=2)).isoformat(), "scheduled_time": "14:30",
        "members": [family.children[0].pk, family.parents[0].pk], "place": "home",
        "purpose": "Check on the children", "requirement": line["code"]})
    assert answer.status_code == 302
    visit = ScheduledVisit.objects.get(case=family)
    assert visit.scheduled_time == dt.time(14, 30) and visit.planned_by == cast.worker
    assert set(visit.members.all()) == {family.children[0], family.parents[0]}
    assert visit.requirement == line["code"] and visit.status == VisitStatus.PLANNED


@pytest.mark.parametrize("change, message", [
    ({"scheduled_for": "2026-03-01"}, "not a day that has passed"),
    ({"scheduled_for": "tomorrow"}, "Enter a valid date"),
    ({"members": []}, "Choose whom the visit is with"),
    ({"place": "other", "place_details": ""}, "Say which other place"),
    ({"place": "moon"}, "Select a valid choice"),
    ({"scheduled_time": "25:00"}, "Enter a valid time"),
])
def test_a_bad_plan_says_what_is_wrong_and_saves_nothing(client, cast, family, change, message):
    client.force_login(cast.worker)
    data = {"scheduled_for": (TODAY + dt.timedelta(days=2)).isoformat(), "scheduled_time": "10:00",
            "members": [family.children[0].pk], "place": "home", "purpose": "Visit"}
    data.update(change)
    answer = client.post(f"/contacts/case/{family.reference}/visits/plan/", data)
    assert answer.status_code == 400 and message in answer.content.decode()
    assert not ScheduledVisit.objects.exists()


def test_a_member_of_another_case_is_refused_like_a_missing_one(client, cast, family):
    other = make_family_case(cast.colleague)
    client.force_login(cast.worker)
    answers = []
    for member_id in (other.children[0].pk, 987654321):
        answer = client.post(f"/contacts/case/{family.reference}/visits/plan/", {
            "scheduled_for": (TODAY + dt.timedelta(days=2)).isoformat(), "members": [member_id], "place": "home"})
        answers.append((answer.status_code, [str(e).replace(str(member_id), "<id>")
                                             for e in answer.context["form"].errors["members"]]))
    assert answers[0] == answers[1] and answers[0][0] == 400
    assert not ScheduledVisit.objects.exists()


# --- Reschedule and cancel --------------------------------------------------------------------------

def test_rescheduling_moves_the_visit_and_keeps_who_why_from_and_to(client, cast, family):
    visit = _plan(family, cast.worker)
    client.force_login(cast.worker)
    answer = client.post(f"/contacts/visits/{visit.pk}/change/", {
        "scheduled_for": (TODAY + dt.timedelta(days=5)).isoformat(), "scheduled_time": "11:00",
        "reason": "Mother works that day"})
    assert answer.status_code == 302
    visit.refresh_from_db()
    assert visit.scheduled_for == TODAY + dt.timedelta(days=5) and visit.scheduled_time == dt.time(11)
    [change] = visit.changes
    assert change["kind"] == "rescheduled" and change["reason"] == "Mother works that day"
    assert change["from"] == "2026-03-13 10:00" and change["to"] == "2026-03-15 11:00" and change["by"] == cast.worker.pk
    assert "Mother works that day" in client.get(f"/contacts/visits/{visit.pk}/change/").content.decode()


def test_a_move_or_cancel_without_a_reason_is_refused_and_changes_nothing(client, cast, family):
    visit = _plan(family, cast.worker)
    client.force_login(cast.worker)
    moved = client.post(f"/contacts/visits/{visit.pk}/change/", {
        "scheduled_for": (TODAY + dt.timedelta(days=5)).isoformat(), "reason": " "})
    cancelled = client.post(f"/contacts/visits/{visit.pk}/cancel/", {"reason": ""})
    assert moved.status_code == cancelled.status_code == 400
    assert "Give the reason for moving the visit." in moved.content.decode()
    assert "Give the reason for cancelling the visit." in cancelled.content.decode()
    visit.refresh_from_db()
    assert visit.scheduled_for == TODAY + dt.timedelta(days=3) and visit.status == "planned" and not visit.changes


def test_cancelling_keeps_the_reason_and_a_cancelled_visit_cannot_move(client, cast, family):
    visit = _plan(family, cast.worker)
    client.force_login(cast.worker)
    assert client.post(f"/contacts/visits/{visit.pk}/cancel/", {"reason": "Family away"}).status_code == 302
    visit.refresh_from_db()
    assert visit.status == "cancelled" and visit.cancelled_reason == "Family away"
    assert visit.changes[-1]["kind"] == "cancelled" and visit.changes[-1]["reason"] == "Family away"
    again = client.post(f"/contacts/visits/{visit.pk}/change/", {
        "scheduled_for": (TODAY + dt.timedelta(days=5)).isoformat(), "reason": "Back"})
    assert again.status_code == 400 and "can no longer be changed" in again.content.decode()


# --- Missed visits and "at risk" -----------------------------------------------------------------------

def test_a_passed_visit_reads_missed_at_once_and_the_daily_task_records_it_once(clock, cast, family):
    visit = _plan(family, cast.worker, day=TODAY + dt.timedelta(days=1))
    clock.move_to(NOW + dt.timedelta(days=2))
    today = TODAY + dt.timedelta(days=2)
    assert ScheduledVisit.objects.with_state(today).get(pk=visit.pk).state == "missed"
    from contacts.tasks import planned_visits_mark_missed

    assert planned_visits_mark_missed(today.isoformat()) == 1
    assert planned_visits_mark_missed(today.isoformat()) == 0  # idempotent
    visit.refresh_from_db()
    assert visit.status == "missed" and visit.missed_on == today


def test_a_contact_recorded_late_for_a_missed_visit_marks_it_done(client, clock, cast, family):
    visit = _plan(family, cast.worker, day=TODAY + dt.timedelta(days=1))
    clock.move_to(NOW + dt.timedelta(days=3))
    visits.visits_mark_missed(today=TODAY + dt.timedelta(days=3))
    client.force_login(cast.worker)
    when = dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time(10), tzinfo=TZ)
    assert client.post(f"/contacts/case/{family.reference}/new/", visit_form(family, when=when)).status_code == 302
    visit.refresh_from_db()
    assert visit.status == "done"


def test_a_missed_visit_makes_a_short_case_at_risk_this_month(clock, cast, family):
    _plan(family, cast.worker, day=TODAY + dt.timedelta(days=1))
    _plan(family, cast.worker, day=TODAY + dt.timedelta(days=10))
    from cases.models import Case

    case_months_recompute(cases=Case.objects.filter(pk=family.pk), month=TODAY)
    assert not CaseMonth.objects.get(case=family, month=TODAY.replace(day=1)).at_risk
    clock.move_to(NOW + dt.timedelta(days=2))
    case_months_recompute(cases=Case.objects.filter(pk=family.pk), month=TODAY)
    result = CaseMonth.objects.get(case=family, month=TODAY.replace(day=1))
    assert result.status == "short" and result.at_risk


# --- My visits over any range ---------------------------------------------------------------------------

def test_my_visits_shows_the_range_asked_for(client, cast, family):
    near = _plan(family, cast.worker, day=TODAY + dt.timedelta(days=3))
    far = _plan(family, cast.worker, day=TODAY + dt.timedelta(days=40))
    client.force_login(cast.worker)
    default = client.get("/contacts/visits/")
    assert [v.pk for v in default.context["visits"]] == [near.pk]
    wide = client.get("/contacts/visits/", {"from": TODAY.isoformat(),
                                            "to": (TODAY + dt.timedelta(days=60)).isoformat()})
    assert [v.pk for v in wide.context["visits"]] == [near.pk, far.pk]
    assert family.reference in wide.content.decode()


@pytest.mark.parametrize("query, message", [
    ({"from": "2026-13-01", "to": "2026-03-20"}, "Enter the first day as a date (YYYY-MM-DD)."),
    ({"from": "2026-03-01", "to": "soon"}, "Enter the last day as a date (YYYY-MM-DD)."),
    ({"from": "2026-03-20", "to": "2026-03-01"}, "The last day is before the first day"),
    ({"from": "2026-03-01"}, "Enter the last day."),
])
def test_my_visits_with_bad_dates_says_what_is_wrong(client, cast, family, query, message):
    _plan(family, cast.worker)
    client.force_login(cast.worker)
    answer = client.get("/contacts/visits/", query)
    assert answer.status_code == 400 and message in answer.content.decode()
    assert family.reference not in answer.content.decode()


# --- The calendar ------------------------------------------------------------------------------------------

def test_the_week_calendar_shows_the_workers_visits_by_case_reference_never_a_name(client, cast, family):
    _plan(family, cast.worker, day=TODAY + dt.timedelta(days=1), time=dt.time(9, 15))
    colleague_case = make_family_case(cast.colleague)
    _plan(colleague_case, cast.colleague, day=TODAY + dt.timedelta(days=1))
    client.force_login(cast.worker)
    page = client.get("/contacts/visits/calendar/", {"view": "week", "date": TODAY.isoformat()})
    body = page.content.decode()
    assert page.status_code == 200 and f"09:15 {family.reference}" in body
    assert colleague_case.reference not in body  # the worker's own cases
    assert not any(name in body for name in _names(family))
    assert 'aria-current="date"' in body and "?view=week&amp;date=2026-03-17" in body


def test_the_team_leader_calendar_shows_the_teams_visits_by_month(client, cast, family):
    _plan(family, cast.worker, day=TODAY + dt.timedelta(days=12))
    colleague_case = make_family_case(cast.colleague)
    _plan(colleague_case, cast.colleague, day=TODAY + dt.timedelta(days=1))
    other_team = make_family_case(cast.other_team_worker)
    _plan(other_team, cast.other_team_worker, day=TODAY + dt.timedelta(days=1))
    client.force_login(cast.leader)
    body = client.get("/contacts/visits/calendar/", {"view": "month", "date": TODAY.isoformat()}).content.decode()
    assert family.reference in body and colleague_case.reference in body and other_team.reference not in body
    assert "Team visits" in body and not any(name in body for name in _names(family))


def test_a_bad_calendar_date_shows_today_and_says_so(client, cast, family):
    client.force_login(cast.worker)
    page = client.get("/contacts/visits/calendar/", {"date": "2026-02-30"})
    assert page.status_code == 200 and "That is not a date" in page.content.decode()


def test_the_calendar_and_my_visits_take_a_fixed_number_of_queries(client, cast, family,
                                                                   django_assert_max_num_queries):
    client.force_login(cast.worker)
    for size in (1, 6):
        for i in range(size):
            _plan(make_family_case(cast.worker), cast.worker, day=TODAY + dt.timedelta(days=1 + i % 5))
        with django_assert_max_num_queries(12):
            client.get("/contacts/visits/calendar/", {"view": "month"})
        with django_assert_max_num_queries(14):
            client.get("/contacts/visits/")


# --- The iCalendar feed ------------------------------------------------------------------------------------------

def test_the_feed_opens_with_the_token_alone_and_names_cases_by_reference_only(client, cast, family):
    _plan(family, cast.worker, day=TODAY + dt.timedelta(days=1), purpose="See Child0 at school",
          place="other", place_details="12 Example Street")
    client.force_login(cast.worker)
    client.post("/contacts/visits/calendar-address/", {"action": "regenerate"})
    feed = CalendarFeed.objects.get(user=cast.worker)
    assert feed.token in client.get("/contacts/visits/calendar-address/").content.decode()
    client.logout()
    answer = client.get(f"/contacts/visits/feed/{feed.token}.ics")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/calendar")
    body = answer.content.decode()
    assert f"SUMMARY:Visit (not at home): {family.reference}" in body and "\r\n" in body
    assert not any(name in body for name in _names(family))
    assert "Example Street" not in body and "Child0" not in body


def test_a_revoked_or_replaced_token_answers_404(client, cast, family):
    client.force_login(cast.worker)
    old = visits.calendar_feed_regenerate(user=cast.worker).token
    client.post("/contacts/visits/calendar-address/", {"action": "regenerate"})
    new = CalendarFeed.objects.get(user=cast.worker).token
    assert new != old
    client.logout()
    assert client.get(f"/contacts/visits/feed/{old}.ics").status_code == 404
    assert client.get(f"/contacts/visits/feed/{new}.ics").status_code == 200
    client.force_login(cast.worker)
    client.post("/contacts/visits/calendar-address/", {"action": "revoke"})
    client.logout()
    assert client.get(f"/contacts/visits/feed/{new}.ics").status_code == 404
    assert client.get("/contacts/visits/feed/nonsense.ics").status_code == 404


def test_a_deactivated_workers_feed_answers_404_and_a_new_worker_has_no_address(client, cast, family):
    token = visits.calendar_feed_regenerate(user=cast.worker).token
    cast.worker.is_active = False
    cast.worker.save()
    assert client.get(f"/contacts/visits/feed/{token}.ics").status_code == 404
    client.force_login(cast.colleague)
    page = client.get("/contacts/visits/calendar-address/").content.decode()
    assert "You have no calendar address." in page and token not in page


def test_the_feed_shows_only_visits_of_cases_the_worker_still_holds(client, cast, family):
    _plan(family, cast.worker)
    token = visits.calendar_feed_regenerate(user=cast.worker).token
    family.caseworker = cast.colleague
    family.save()
    body = client.get(f"/contacts/visits/feed/{token}.ics").content.decode()
    assert family.reference not in body and "BEGIN:VCALENDAR" in body


# --- Access: the fixed cast ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", list(VISIBLE))
def test_planning_pages_answer_the_cast_as_the_access_rules_say(client, cast, cases, role):
    case = cases["own"]
    visit = _plan(case, cast.worker, day=timezone.localdate() + dt.timedelta(days=3))
    user = getattr(cast, role)
    client.force_login(user)
    sees = "own" in VISIBLE[role]
    edits = sees and role in {"worker", "colleague", "support_officer", "leader"}
    for url in (f"/contacts/case/{case.reference}/visits/plan/", f"/contacts/visits/{visit.pk}/change/"):
        status = client.get(url).status_code
        assert status == (200 if edits else 403 if sees else 404), (role, url, status)
    cancel = client.post(f"/contacts/visits/{visit.pk}/cancel/", {"reason": "Test"}).status_code
    assert cancel == (302 if edits else 403 if sees else 404), (role, cancel)
    api = client.get(f"/api/planned-visits/{visit.pk}/").status_code
    assert api == (200 if sees else 404), (role, api)
    moved = client.post(f"/api/planned-visits/{visit.pk}/reschedule/", {
        "scheduled_for": (timezone.localdate() + dt.timedelta(days=4)).isoformat(), "reason": "Moved"},
        content_type="application/json").status_code
    # a cancelled visit (edits) cannot move: 400 with the reason
    assert moved == (400 if edits else 403 if sees else 404), (role, moved)

"""Reads of planned visits, each starting from the cases the user may see
(cases.permissions.visible_cases); set-based, a fixed number of queries per page."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from cases.models import CaseMember, Role
from cases.permissions import Action, led_team_ids, require, visible_cases
from contacts import calendars
from contacts.models import CalendarFeed, ScheduledVisit, VisitStatus


def visit_for(user, pk, action: Action = Action.VIEW) -> ScheduledVisit:
    """A visit of a case the user may see (404 otherwise, as for one that does not exist)."""
    visit = get_object_or_404(ScheduledVisit.objects.filter(case__in=visible_cases(user)).select_related("case"),
                              pk=pk)
    require(user, action, visit.case)
    return visit


def _with_members(visits):
    return visits.select_related("case").prefetch_related(
        Prefetch("members", queryset=CaseMember.objects.select_related("person").order_by("role", "pk")))


def my_visits(user, *, first: dt.date, last: dt.date, today: dt.date):
    """Visits on cases allocated to ``user`` from ``first`` to ``last``, planned or missed."""
    return (ScheduledVisit.objects.with_state(today)
            .filter(case__in=visible_cases(user).filter(caseworker=user), scheduled_for__range=(first, last),
                    status__in=[VisitStatus.PLANNED, VisitStatus.MISSED])
            .select_related("case").order_by("scheduled_for", "scheduled_time", "pk"))


def calendar_scope(user) -> str:
    """Whose visits the calendar shows: a team leader's teams', anyone else's own cases'."""
    return "team" if user.role == Role.TEAM_LEADER else "own"


def calendar_visits(user, *, first: dt.date, last: dt.date, today: dt.date) -> dict[dt.date, list]:
    """{day: visits} for a calendar grid: a team leader sees their teams' cases' visits, a
    worker the visits of the cases allocated to them. Cancelled visits are left out."""
    cases = visible_cases(user)
    if calendar_scope(user) == "team":
        cases = cases.filter(team_id__in=led_team_ids(user))
    else:
        cases = cases.filter(caseworker=user)
    visits = (ScheduledVisit.objects.with_state(today)
              .filter(case__in=cases, scheduled_for__range=(first, last)).exclude(status=VisitStatus.CANCELLED)
              .select_related("case", "case__caseworker").order_by("scheduled_for", "scheduled_time", "pk"))
    by_day = defaultdict(list)
    for visit in visits:
        by_day[visit.scheduled_for].append(visit)
    return by_day


def case_visits(case, *, today: dt.date, limit: int = 10):
    """A case's planned and missed visits, soonest first, with whom (for the case page)."""
    return _with_members(ScheduledVisit.objects.with_state(today).filter(
        case=case, status__in=[VisitStatus.PLANNED, VisitStatus.MISSED])).order_by(
        "scheduled_for", "scheduled_time", "pk")[:limit]


def feed_for_user(user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def feed_of(token: str) -> CalendarFeed | None:
    """The calendar address with ``token`` of an active user, or None."""
    if not token or len(token) > 64:
        return None
    return CalendarFeed.objects.filter(token=token, user__is_active=True).select_related("user").first()


# How far back and ahead a feed reaches: enough for a calendar app, not a whole history.
FEED_DAYS_BACK, FEED_DAYS_AHEAD = 31, 366


def feed_visits(user, *, today: dt.date):
    """Visits of the cases allocated to ``user`` for their calendar feed (not cancelled)."""
    return (ScheduledVisit.objects.with_state(today)
            .filter(case__in=visible_cases(user).filter(caseworker=user),
                    scheduled_for__range=(today - dt.timedelta(days=FEED_DAYS_BACK),
                                          today + dt.timedelta(days=FEED_DAYS_AHEAD)))
            .exclude(status=VisitStatus.CANCELLED).select_related("case").order_by("scheduled_for", "pk"))


def still_needed(result) -> list[dict]:
    """The lines of a month's stored result that still need a face-to-face visit, each with
    what a planned visit from it starts with (whom, where)."""
    if result is None or result.closed_at:
        return []
    out = []
    for line in result.lines or ():
        short = max(0, line.get("required", 0) - line.get("achieved", 0))
        if short and line.get("code") != "support":
            out.append({**line, "short_by": short, "place": calendars.place_for_requirement(line.get("code", ""))})
    return out

"""Pages of planned visits: plan one from what a case still needs, reschedule or cancel it,
"My visits" over any date range, the week and month calendar, and the calendar address
(iCalendar feed) with its token. A view parses input, calls one selector or service, renders."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cases.permissions import Action, get_case_or_404
from cases.services import CaseworkError
from casework.dates import day_label
from contacts import calendars, selectors, visit_selectors, visits
from contacts.models import VisitPlace
from contacts.visit_forms import VisitCancelForm, VisitPlanForm, VisitRangeForm, VisitRescheduleForm
from responses.selectors import active_record_alerts


def _initial_from_line(request, case, form_members) -> dict:
    """A visit planned from a "still needed" line starts with its person and its place."""
    code = request.GET.get("requirement", "")[:40]
    initial = {"scheduled_for": timezone.localdate(), "place": VisitPlace.HOME, "requirement": code}
    if code:
        initial["place"] = calendars.place_for_requirement(code)
        line = next((line for line in visit_selectors.still_needed(selectors.month_result(case, timezone.localdate()))
                     if line.get("code") == code and str(line.get("member_id") or "") == request.GET.get("member", "")),
                    None)
        if line is not None:
            initial["purpose"] = f"For: {line['description']}"
            if line.get("member_id") and form_members.filter(pk=line["member_id"]).exists():
                initial["members"] = [line["member_id"]]
    return initial


def visit_plan(request, reference):
    case = get_case_or_404(request.user, reference, Action.EDIT)
    if request.method == "POST":
        form = VisitPlanForm(request.POST, case=case, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                visit = visits.visit_plan(user=request.user, case=case, day=data["scheduled_for"],
                                          time=data["scheduled_time"], members=list(data["members"]),
                                          place=data["place"], place_details=data["place_details"],
                                          purpose=data["purpose"], requirement=data["requirement"])
            except CaseworkError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Visit planned for {case.reference} on {day_label(visit.scheduled_for)}.")
                return redirect(case)
    else:
        form = VisitPlanForm(case=case, user=request.user)
        form.initial = _initial_from_line(request, case, form.fields["members"].queryset)
    return render(request, "contacts/visit_form.html", {
        "form": form, "case": case, "title": "Plan a visit", "submit": "Plan the visit"}, status=400
        if request.method == "POST" else 200)


def visit_reschedule(request, pk):
    visit = visit_selectors.visit_for(request.user, pk, Action.EDIT)
    form = VisitRescheduleForm(request.POST or None, initial={
        "scheduled_for": visit.scheduled_for, "scheduled_time": visit.scheduled_time})
    if request.method == "POST" and form.is_valid():
        try:
            visits.visit_reschedule(user=request.user, visit=visit, day=form.cleaned_data["scheduled_for"],
                                    time=form.cleaned_data["scheduled_time"], reason=form.cleaned_data["reason"])
        except CaseworkError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Visit of {visit.case.reference} moved.")
            return redirect(visit.case)
    return render(request, "contacts/visit_change.html", {
        "visit": visit, "case": visit.case, "form": form, "cancel_form": VisitCancelForm()},
        status=400 if request.method == "POST" else 200)


@require_POST
def visit_cancel(request, pk):
    visit = visit_selectors.visit_for(request.user, pk, Action.EDIT)
    form = VisitCancelForm(request.POST)
    if form.is_valid():
        try:
            visits.visit_cancel(user=request.user, visit=visit, reason=form.cleaned_data["reason"])
        except CaseworkError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Visit of {visit.case.reference} cancelled.")
            return redirect(visit.case)
    return render(request, "contacts/visit_change.html", {
        "visit": visit, "case": visit.case, "form": VisitRescheduleForm(initial={
            "scheduled_for": visit.scheduled_for, "scheduled_time": visit.scheduled_time}),
        "cancel_form": form}, status=400)


def my_visits(request):
    """Visits of the cases allocated to the user over any range (by default the next two weeks)."""
    today = timezone.localdate()
    given = "from" in request.GET or "to" in request.GET
    form = VisitRangeForm(request.GET if given else {"from": today.isoformat(),
                                                     "to": (today + dt.timedelta(days=14)).isoformat()})
    rows = []
    if form.is_valid():
        rows = list(visit_selectors.my_visits(request.user, first=form.cleaned_data["from"],
                                              last=form.cleaned_data["to"], today=today))
        alerts = active_record_alerts({v.case_id for v in rows})
        for visit in rows:
            visit.record_alerts = alerts[visit.case_id]
    return render(request, "contacts/visits.html", {"visits": rows, "today": today, "form": form},
                  status=200 if form.is_valid() else 400)


def calendar(request):
    """The week or month grid of visits (``view``, ``date``): a worker's cases, a team leader's teams."""
    today = timezone.localdate()
    view = request.GET.get("view", calendars.WEEK)
    if view not in (calendars.WEEK, calendars.MONTH):
        view = calendars.WEEK
    error = ""
    try:
        day = dt.date.fromisoformat(request.GET["date"]) if request.GET.get("date") else today
    except ValueError:
        day, error = today, "That is not a date (YYYY-MM-DD): showing today."
    first, last = calendars.grid_range(day, view)
    by_day = visit_selectors.calendar_visits(request.user, first=first, last=last, today=today)
    weeks = [calendars.week_days(day)] if view == calendars.WEEK else calendars.month_weeks(day)
    grid = [[{"day": d, "visits": by_day.get(d, []), "in_month": view == calendars.WEEK or d.month == day.month}
             for d in week] for week in weeks]
    return render(request, "contacts/calendar.html", {
        "view": view, "day": day, "grid": grid, "today": today, "error": error,
        "scope": visit_selectors.calendar_scope(request.user),
        "previous": calendars.shifted(day, view, -1), "next": calendars.shifted(day, view, 1),
        "title": (f"Week of {day_label(first)}" if view == calendars.WEEK else f"{day:%B %Y}"),
    })


def feed_settings(request):
    """The user's calendar address: show it, make a new one, or stop it."""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            visits.calendar_feed_revoke(user=request.user)
            messages.success(request, "Calendar address stopped: calendars using it get nothing more.")
        else:
            visits.calendar_feed_regenerate(user=request.user)
            messages.success(request, "New calendar address made: the old one no longer works.")
        return redirect("contacts:feed_settings")
    feed = visit_selectors.feed_for_user(request.user)
    url = request.build_absolute_uri(reverse("contacts:feed", args=[feed.token])) if feed else ""
    return render(request, "contacts/feed_settings.html", {"feed": feed, "feed_url": url})


def _event(request, visit) -> calendars.FeedEvent:
    """A visit as a feed event: the case by reference only, no names, no addresses."""
    start = visit.scheduled_for
    if visit.scheduled_time is not None:
        start = dt.datetime.combine(visit.scheduled_for, visit.scheduled_time,
                                    tzinfo=timezone.get_current_timezone())
    place = "Home visit" if visit.place == VisitPlace.HOME else "Visit (not at home)"
    state = " (missed)" if visit.state == "missed" else ""
    return calendars.FeedEvent(
        uid=f"visit-{visit.pk}@{request.get_host()}", start=start,
        summary=f"{place}: {visit.case.reference}{state}",
        description=f"Case {visit.case.reference}. Details in Casework.",
        url=request.build_absolute_uri(visit.case.get_absolute_url()))


@login_not_required
@require_GET
def feed(request, token):
    """The worker's visits as iCalendar: only the token opens it (no session); a revoked or
    unknown token answers 404."""
    found = visit_selectors.feed_of(token)
    if found is None:
        raise Http404
    today = timezone.localdate()
    events = [_event(request, visit) for visit in visit_selectors.feed_visits(found.user, today=today)]
    body = calendars.ical_calendar(events, now=timezone.now(), name="Casework visits")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response

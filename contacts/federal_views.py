"""The federal visit measure's drill-down to child-months, with its CSV (the dashboard section
itself is part of the managers' dashboard, contacts.dashboard_views)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render

from cases.access_log import note_look
from contacts import dashboards, federal, federal_dashboards
from contacts.federal_forms import FederalFilterForm

SHOWN = 500
CHILD_MONTH_HEADER = ["Case", "Month", "Office", "Team", "Caseworker", "Child", "Seen by a caseworker",
                      "First caseworker visit", "Caseworker visits", "Seen in the residence", "Visits in the residence"]


def measure_on() -> None:
    """The measure's pages answer only in an agency that reports it (FEDERAL_VISIT_MEASURE)."""
    if not settings.FEDERAL_VISIT_MEASURE:
        raise Http404


def child_months(request):
    measure_on()
    form = FederalFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "contacts/federal_child_months.html", {"form": form, "rows": [], "count": 0},
                      status=400)
    criteria = form.criteria()
    rows = federal_dashboards.child_months(request.user, **criteria)
    if request.GET.get("export") == "csv":
        note_look(sorted({row.result.case_id for row in rows}))
        data = [[r.result.case.reference, f"{r.result.month:%Y-%m}", r.result.case.team.office.name,
                 r.result.case.team.name, r.result.case.caseworker.get_full_name(), r.child_number,
                 "Yes" if r.visited else "No", r.first_visit_on.isoformat() if r.first_visit_on else "", r.visits,
                 ("Yes" if r.at_residence else "No") if r.visited else "", r.residence_visits] for r in rows]
        response = HttpResponse(dashboards.to_csv(CHILD_MONTH_HEADER, data), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="federal-visits-child-months.csv"'
        return response
    shown = rows[:SHOWN]
    note_look(sorted({row.result.case_id for row in shown}))
    return render(request, "contacts/federal_child_months.html", {
        "form": form, "rows": shown, "count": len(rows), "months": criteria["months"],
        "not_listed": federal_dashboards.child_months_not_listed(request.user, **criteria),
        "query": request.GET.urlencode(), "target": settings.FEDERAL_VISIT_TARGET,
        "threshold": federal.RESIDENCE_THRESHOLD, "shown_at_most": SHOWN,
    })

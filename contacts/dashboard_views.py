"""Compliance dashboards (caseworker, team leader, manager), drill-down, CSV export, and
the administrators' page of scheduler runs."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from alerts.selectors import alerts_for
from cases.access_log import note_look
from cases.models import RiskLevel, Role, User
from cases.permissions import visible_cases
from contacts import dashboards, federal, federal_dashboards, rules, selectors, tasks
from contacts.models import MonthStatus, ScheduledVisit, VisitStatus
from contacts.templatetags.contact_tags import month_status


def _month_param(request) -> dt.date:
    try:
        return dt.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


def dashboard(request):
    role = request.user.role
    if role == Role.MANAGER:
        return manager_dashboard(request)
    if role == Role.TEAM_LEADER:
        return team_dashboard(request)
    if role in (Role.CASEWORKER, Role.SUPPORT_OFFICER):
        return my_month(request)
    raise Http404


def my_month(request):
    today = timezone.localdate()
    month = today.replace(day=1)
    week_end = today + dt.timedelta(days=6 - today.weekday())
    needed_only = request.GET.get("needed") == "1"
    return render(request, "contacts/dashboard_caseworker.html", {
        "month": month, "results": dashboards.my_month(request.user, month, needed_only=needed_only),
        "needed_only": needed_only, "days_left": (rules.month_end(today) - today).days + 1,
        "visits": ScheduledVisit.objects.filter(case__in=visible_cases(request.user).filter(
            caseworker=request.user), status=VisitStatus.PLANNED, scheduled_for__gte=today,
            scheduled_for__lte=week_end).select_related("case").order_by("scheduled_for"),
        "alerts": alerts_for(request.user, status="new")[:10],
    })


def _tables(request, groups):
    months = dashboards.months_back(12)
    cube = dashboards.compliance_cube(request.user, months)
    tables = [(group, dashboards.GROUPS[group][1], dashboards.roll_up(cube, group)) for group in groups]
    return months, tables, dashboards.roll_up(cube, None)


def _export(request, months, tables):
    group = request.GET.get("export")
    for name, label, table in tables:
        if name == group:
            header = [label] + [m.strftime("%Y-%m") for m in months]
            rows = [[dashboards.group_label(name, value)]
                    + [(cells[m].rate if m in cells and cells[m].rate is not None else "") for m in months]
                    for value, cells in table.items()]
            response = HttpResponse(dashboards.to_csv(header, rows), content_type="text/csv")
            response["Content-Disposition"] = f'attachment; filename="compliance-by-{name}.csv"'
            return response
    raise Http404


def team_dashboard(request):
    months, tables, overall = _tables(request, ["team"])
    if "export" in request.GET:
        return _export(request, months, tables)
    month = months[-1]
    return render(request, "contacts/dashboard_team.html", {
        "months": months, "tables": tables, "overall": overall, "month": month,
        "by_caseworker": dashboards.short_or_at_risk_by_caseworker(request.user, month),
        "approvals": selectors.approvals_queue(request.user),
    })


def manager_dashboard(request):
    if request.GET.get("export") == "federal" and settings.FEDERAL_VISIT_MEASURE:
        return _federal_export(request)
    months, tables, overall = _tables(request, ["office", "team", "risk_level", "case_type"])
    if "export" in request.GET:
        return _export(request, months, tables)
    chart = {"labels": [m.strftime("%b %Y") for m in months],
             "series": [{"label": value, "data": [cells[m].rate if m in cells else None for m in months]}
                        for value, cells in tables[0][2].items()]}
    return render(request, "contacts/dashboard_manager.html", {
        "months": months, "tables": tables, "overall": overall, "chart": chart, **_federal_section(request),
    })


def _federal_section(request) -> dict:
    """The federal visit measure's section of the managers' dashboard, in an agency that reports it."""
    if not settings.FEDERAL_VISIT_MEASURE:
        return {}
    months = federal_dashboards.federal_months()
    return {"federal": federal_dashboards.federal_summary(request.user, months), "federal_months": months,
            "federal_target": settings.FEDERAL_VISIT_TARGET, "federal_threshold": federal.RESIDENCE_THRESHOLD}


def _federal_export(request):
    months = federal_dashboards.federal_months()
    rows = federal_dashboards.summary_rows(federal_dashboards.federal_summary(request.user, months))
    response = HttpResponse(dashboards.to_csv(federal_dashboards.SUMMARY_HEADER, rows), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="federal-visits-{months[0]:%Y-%m}-{months[-1]:%Y-%m}.csv"'
    return response


def drill_down(request):
    month = _month_param(request)
    filters = {key: request.GET.get(key, "") for key in dashboards.FILTERS}
    criteria = {"month": month, "status": request.GET.get("status", ""), "at_risk": request.GET.get("at_risk") == "1",
                **filters}
    rows = dashboards.drill_down(request.user, **criteria)
    if request.GET.get("export") == "csv":
        rows = list(rows)
        note_look([r.case_id for r in rows])
        header = ["Case", "Month", "Office", "Team", "Caseworker", "Case type", "Risk level", "Status", "Achieved",
                  "Required", "Status as closed", "Achieved as closed", "Required as closed", "Amended at"]
        data = [[r.case.reference, month.strftime("%Y-%m"), r.case.team.office.name, r.case.team.name,
                 r.case.caseworker.get_full_name(), rules.CASE_TYPE_LABELS.get(r.case_type, ""),
                 RiskLevel(r.risk_level).label if r.risk_level in RiskLevel.values else "",
                 month_status(r.status, month), r.achieved_total, r.required_total, *_as_closed(r)] for r in rows]
        response = HttpResponse(dashboards.to_csv(header, data), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="cases-{month:%Y-%m}.csv"'
        return response
    shown = list(rows[:500])
    note_look([r.case_id for r in shown])
    return render(request, "contacts/drill_down.html", {
        "rows": shown, "count": rows.count(), "month": month,
        "not_listed": dashboards.drill_down_not_listed(request.user, **criteria), "filters": _filter_labels(filters),
        "status": request.GET.get("status", ""), "query": request.GET.urlencode(),
    })


def _filter_labels(filters: dict) -> dict[str, str]:
    """The drill-down's filters as its title names them: the caseworker's name, not their username."""
    shown = {dashboards.GROUPS[key][1]: value for key, value in filters.items() if value}
    if filters.get("caseworker"):
        person = User.objects.filter(username=filters["caseworker"]).first()
        shown["Caseworker"] = person.get_full_name() or person.username if person else filters["caseworker"]
    if filters.get("case_type"):
        shown["Case type"] = rules.CASE_TYPE_LABELS.get(filters["case_type"], filters["case_type"])
    if filters.get("risk_level") in RiskLevel.values:
        shown["Risk level"] = RiskLevel(filters["risk_level"]).label
    return shown


def _as_closed(row) -> list:
    """The CSV columns of a closed month's result as closed (blank for an open month)."""
    closed = row.result_at_close or {}
    if not row.closed_at:
        return ["", "", "", ""]
    return [dict(MonthStatus.choices).get(closed.get("status"), ""), closed.get("achieved_total", ""),
            closed.get("required_total", ""),
            timezone.localtime(row.amended_at).strftime("%Y-%m-%d %H:%M") if row.amended_at else ""]


def _administrator(user) -> bool:
    return user.role == Role.ADMINISTRATOR or user.is_superuser


def _watch_settings() -> dict:
    return {"stale_minutes": settings.COMPLIANCE_CHUNK_STALE_MINUTES, "max_sends": settings.COMPLIANCE_CHUNK_MAX_SENDS}


def runs(request):
    if not _administrator(request.user):
        raise Http404
    return render(request, "contacts/runs.html", {"runs": selectors.runs_recent(now=timezone.now()),
                                                  "pending": selectors.recomputes_waiting(),
                                                  "watch": _watch_settings()})


@require_POST
def run_now(request):
    if not _administrator(request.user):
        raise Http404
    try:
        run = tasks.manual_run_start(by=request.user)
    except tasks.QueueUnavailable as error:
        messages.error(request, str(error))
        return redirect("contacts:runs")
    return redirect("contacts:run", pk=run.pk)


def run_detail(request, pk):
    if not _administrator(request.user):
        raise Http404
    run = selectors.run_with_chunks(pk, now=timezone.now())
    template = "contacts/_run_progress.html" if request.htmx else "contacts/run.html"
    response = render(request, template, {"run": run, "watch": _watch_settings()})
    if request.htmx and run.state in ("finished", "failed"):
        response.status_code = 286  # htmx stops polling a run that is over
    return response

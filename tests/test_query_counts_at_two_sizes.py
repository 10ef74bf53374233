"""Every list page, dashboard, the case's own pages and every API list cost the same number
of SQL queries in a small agency and in one five times its size: the demo agency (with its
contacts, drafts, requests, plans, referrals, responses, alerts and planned visits), grown
from 20 cases to 100 and measured for each role at both sizes.

A page whose queries grow with the agency would slow down as the agency grows; one whose
count is merely high is pinned in its own app's tests."""

import datetime as dt
import importlib
import importlib.util

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import demo
from cases.models import Case, User
from cases.permissions import visible_cases
from contacts.models import ScheduledVisit, VisitStatus

pytestmark = pytest.mark.django_db

DEMO_APPS = [app for app in ("contacts", "caseplans", "services", "alerts", "responses", "cases")
             if importlib.util.find_spec(f"{app}.demo")]

PAGES = {
    "caseworker": ["/cases/", "/cases/?scope=", "/cases/?q=Child", "/contacts/drafts/", "/contacts/visits/",
                   "/contacts/visits/calendar/", "/contacts/visits/calendar/?view=month", "/alerts/", "/services/",
                   "/contacts/dashboard/"],
    "team leader": ["/cases/", "/contacts/approvals/", "/contacts/dashboard/", "/contacts/dashboard/cases/",
                    "/plans/due/", "/responses/due/", "/responses/inbound/", "/alerts/", "/contacts/visits/calendar/"],
    "manager": ["/cases/", "/contacts/dashboard/", "/contacts/dashboard/cases/", "/responses/due/",
                "/responses/inbound/", "/contacts/dashboard/federal/", "/api/federal-visits/",
                "/api/federal-visits/child-months/"],
    "financial delegate": ["/services/approvals/"],
    "administrator": ["/contacts/runs/"],
}


def _api_lists() -> list[str]:
    urls = []
    for app in ("cases", "contacts", "caseplans", "services", "alerts", "responses"):
        router = getattr(importlib.import_module(f"{app}.api.urls"), "router", None)
        urls += [f"/api/{prefix}/" for prefix, _viewset, _basename in (router.registry if router else [])]
    return urls


def _grow(agency, count: int, seed: int) -> None:
    cases = demo.create_cases(agency, count, seed=seed, with_history=True)
    for app in DEMO_APPS:
        importlib.import_module(f"{app}.demo").seed(agency, cases, scale=False)


def _queries(client, url: str) -> tuple[int, int]:
    client.get(url)  # warm what is cached per process (content types, the session)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response.status_code, len(captured)


def _cast(agency):
    worker = agency.caseworkers[0]
    return {
        "caseworker": worker,
        "team leader": agency.leaders[worker.team_id],
        "manager": User.objects.get(username="manager"),
        "financial delegate": User.objects.get(username="finance"),
        "administrator": User.objects.get(username="admin"),
    }


def _measure(client, cast) -> dict:
    worker = cast["caseworker"]
    case = Case.objects.filter(caseworker=worker).order_by("pk").first()
    # A visit planned today, so that "My visits" and the calendars list something at both
    # sizes whatever day the test runs (a page with nothing to list skips its prefetches).
    ScheduledVisit.objects.get_or_create(case=case, scheduled_for=timezone.localdate(), status=VisitStatus.PLANNED)
    month = timezone.localdate().strftime("%Y-%m")
    wanted = {role: list(urls) for role, urls in PAGES.items()}
    wanted["caseworker"] += [f"/cases/{case.reference}/", f"/cases/{case.reference}/history/",
                             f"/contacts/case/{case.reference}/timeline/",
                             f"/contacts/case/{case.reference}/month/{month}/"]
    wanted["caseworker"] += [url for url in _api_lists() if url != "/api/inbound-messages/"]  # leaders' and managers'
    wanted["team leader"] += ["/api/cases/", "/api/contacts/", "/api/referrals/", "/api/inbound-messages/"]
    today = timezone.localdate()
    wanted["manager"].append(f"/cases/access-report/?start={today - dt.timedelta(days=30)}&end={today}")
    wanted["manager"] += ["/api/cases/"]
    counts = {}
    for role, urls in wanted.items():
        client.force_login(cast[role])
        for url in urls:
            # The case's own pages are measured on the same case: its history stays the same.
            counts[role, url.replace(case.reference, "<case>")] = _queries(client, url)
    return counts


def test_no_page_or_api_list_costs_more_queries_in_a_larger_agency(client):
    agency = demo.ensure_agency(None)
    _grow(agency, 20, seed=1)
    cast = _cast(agency)
    visible_before = {role: visible_cases(user).count() for role, user in cast.items()}
    small = _measure(client, cast)
    _grow(agency, 80, seed=2)
    visible_after = {role: visible_cases(user).count() for role, user in cast.items()}
    large = _measure(client, cast)

    # The larger agency is larger for each role that sees cases: the pages list more.
    for role in ("caseworker", "team leader", "manager"):
        assert visible_after[role] > 2 * visible_before[role], role
    assert {key: status for key, (status, _) in small.items() if status != 200} == {}
    grew = {key: (small[key][1], large[key][1]) for key in small if large[key][1] != small[key][1]}
    assert grew == {}, grew


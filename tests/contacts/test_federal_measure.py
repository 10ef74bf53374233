"""The federal monthly caseworker-visit measure, stored with the case-months and shown on the
managers' dashboard, its drill-down, the CSVs and the API: a hand-built agency whose numbers
are counted by hand below, who sees what, and what bad filters answer."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from cases.models import Case
from contacts import compliance, rules
from contacts.models import CaseMonth, CaseMonthAmendment, Contact, ContactParticipant
from tests import factories as f

pytestmark = pytest.mark.django_db

LAST = rules.add_months(timezone.localdate().replace(day=1), -1)  # the last complete month
LONG_AGO = LAST - dt.timedelta(days=400)


def in_care_case(worker, *children_since):
    """A case with a mother, a carer and one child per date: in care from that date (at home
    with the mother before it)."""
    case = f.CaseFactory(caseworker=worker, team=worker.team, opened_on=LONG_AGO)
    mother = f.MemberFactory(case=case, role="parent", relationship="mother", joined_on=LONG_AGO)
    carer = f.MemberFactory(case=case, role="carer", relationship="foster carer", joined_on=LONG_AGO)
    case.children = []
    for since in children_since:
        child = f.MemberFactory(case=case, role="child", joined_on=LONG_AGO)
        f.LegalStatusFactory(member=child, intervention_type="child_protection_order_custody")
        f.ChildGoalFactory(member=child, goal="other_permanency")
        if since > LONG_AGO:
            f.LivingArrangementFactory(member=child, kind="at_home", with_person=mother.person,
                                       effective_from=LONG_AGO, effective_to=since - dt.timedelta(days=1))
        f.LivingArrangementFactory(member=child, kind="in_care", with_person=carer.person, effective_from=since)
        case.children.append(child)
    case.mother, case.carer = mother, carer
    return case


def visit(case, children, *, day=10, maker_role="caseworker", by=None, location="child_living_environment",
          kind="face_to_face", month=LAST):
    occurred = dt.datetime.combine(month.replace(day=day), dt.time(10), tzinfo=timezone.get_current_timezone())
    contact = Contact.objects.create(case=case, occurred_at=occurred, kind=kind, mode="in_person",
                                     maker_role=maker_role, made_by=by or case.caseworker, author=by or case.caseworker,
                                     recorded_at=occurred, location=location)
    for child in children:
        ContactParticipant.objects.create(contact=contact, member=child)
    return contact


@pytest.fixture
def agency(cast):
    """Office 1: team A (cases a, b), team B (case c); office 2: case d.

    a: a1 in care all month, seen by the caseworker at the placement; a2 came into care on
       the 15th (not a child-month), seen too.
    b: b1 in care all month, seen by the caseworker at school; b2 in care all month, seen only
       by a support officer.
    c: c1 in care all month, not seen at all.
    d: d1 in care all month, seen at the placement (another office).
    """
    worker_c = f.UserFactory(team=cast.team_c, username="worker_c")
    a = in_care_case(cast.worker, LONG_AGO, LAST.replace(day=15))
    b = in_care_case(cast.colleague, LONG_AGO, LONG_AGO)
    c = in_care_case(cast.other_team_worker, LONG_AGO)
    d = in_care_case(worker_c, LONG_AGO)
    visit(a, a.children, day=20)
    visit(b, [b.children[0]], location="school")
    visit(b, [b.children[1]], maker_role="support_officer", by=cast.support_officer)
    visit(c, c.children, kind="other")  # a phone call
    visit(d, d.children)
    compliance.case_months_recompute(cases=Case.objects.all(), month=LAST)
    return {"a": a, "b": b, "c": c, "d": d}


# Counted by hand from the fixture's story, for the manager of office 1:
# child-months a1, b1, b2, c1 = 4; seen a1, b1 = 2 (50.0 %); in the residence a1 = 1 of 2 (50.0 %).
BY_HAND = {"overall": (4, 2, 1), "team A": (3, 2, 1), "team B": (1, 0, 0)}


def test_the_stored_child_months_are_the_hand_count(cast, agency):
    stored = {key: CaseMonth.objects.get(case=case, month=LAST) for key, case in agency.items()}
    assert [(r.federal_children, r.federal_visited, r.federal_at_residence) for r in stored.values()] == [
        (1, 1, 1), (2, 1, 0), (1, 0, 0), (1, 1, 1)]
    a1 = agency["a"].children[0]
    assert [c["member_id"] for c in stored["a"].federal] == [a1.pk]  # a2 entered care mid-month


def test_the_dashboard_shows_the_hand_count_by_office_and_team(client, cast, agency):
    client.force_login(cast.manager)
    response = client.get("/contacts/dashboard/")
    summary = response.context["federal"]
    cells = {"overall": summary["overall"], "team A": summary["team"][cast.team_a.name],
             "team B": summary["team"][cast.team_b.name]}
    assert {k: (c.children, c.visited, c.at_residence) for k, c in cells.items()} == BY_HAND
    assert list(summary["office"]) == [cast.team_a.office.name]  # office 2 is another manager's
    overall = summary["overall"]
    assert (overall.visited_percent, overall.meets_target, overall.residence_percent, overall.residence_met) == (
        50.0, False, 50.0, False)
    assert summary["team"][cast.team_a.name].visited_percent == 66.7
    page = response.content.decode()
    assert "Federal monthly caseworker visits" in page and "50.0% of 4 child-months seen" in page


def test_drill_down_csv_and_api_list_the_same_child_months(client, cast, agency):
    client.force_login(cast.manager)
    page = client.get("/contacts/dashboard/federal/")
    rows = page.context["rows"]
    # By reference (the factory numbers them a, b, c in order), then the case's children in order.
    assert [(r.result.case.reference, r.child_number, r.visited, r.at_residence) for r in rows] == [
        (agency["a"].reference, 1, True, True), (agency["b"].reference, 1, True, False),
        (agency["b"].reference, 2, False, False), (agency["c"].reference, 1, False, False)]
    assert agency["d"].reference not in page.content.decode()

    download = client.get("/contacts/dashboard/federal/?export=csv")
    assert download["Content-Type"] == "text/csv"
    table = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert [(r["Case"], r["Seen by a caseworker"], r["Seen in the residence"]) for r in table] == [
        (r.result.case.reference, "Yes" if r.visited else "No", ("Yes" if r.at_residence else "No") if r.visited else "")
        for r in rows]

    listed = client.get("/api/federal-visits/child-months/").json()
    assert listed["count"] == 4
    assert [(r["case"], r["seen"], r["seen_in_residence"]) for r in listed["results"]] == [
        (r.result.case.reference, r.visited, r.at_residence) for r in rows]
    summary = client.get("/api/federal-visits/").json()
    assert (summary["overall"]["child_months"], summary["overall"]["seen"], summary["overall"]["seen_in_residence"]) \
        == BY_HAND["overall"]
    assert summary["target_percent"] == 95 and summary["overall"]["meets_target"] is False
    teams = {t["name"]: (t["child_months"], t["seen"], t["seen_in_residence"]) for t in summary["by_team"]}
    assert teams == {cast.team_a.name: BY_HAND["team A"], cast.team_b.name: BY_HAND["team B"]}

    summary_csv = list(csv.reader(io.StringIO(client.get("/contacts/dashboard/?export=federal").content.decode())))
    assert summary_csv[1][:7] == ["All", "All", "4", "2", "50.0", "1", "50.0"]


@pytest.mark.parametrize("query,expected", [
    ("seen=yes", {("a", True, True), ("b", True, False)}),
    ("seen=no", {("b", False, False), ("c", False, False)}),
    ("residence=no", {("b", True, False)}),
    ("residence=yes", {("a", True, True)}),
    ("team={team_b}", {("c", False, False)}),
    ("office={office}&seen=yes&residence=yes", {("a", True, True)}),
])
def test_the_drill_down_filters_are_those_of_the_numbers(client, cast, agency, query, expected):
    client.force_login(cast.manager)
    query = query.format(team_b=cast.team_b.name, office=cast.team_a.office.name)
    rows = client.get(f"/contacts/dashboard/federal/?{query}").context["rows"]
    names = {case.reference: key for key, case in agency.items()}
    assert {(names[r.result.case.reference], r.visited, r.at_residence) for r in rows} == expected


def test_a_month_filter_lists_only_that_month(client, cast, agency):
    client.force_login(cast.manager)
    earlier = rules.add_months(LAST, -1)
    assert client.get(f"/contacts/dashboard/federal/?month={earlier:%Y-%m}").context["count"] == 0
    assert client.get(f"/contacts/dashboard/federal/?month={LAST:%Y-%m}").context["count"] == 4


@pytest.mark.parametrize("query,message", [
    ("month=2026-13", "YYYY-MM"), ("month=March", "YYYY-MM"), ("month=1999-01", "last twelve complete months"),
    ("seen=maybe", "Select a valid choice"), ("seen=no&residence=yes", "not seen by a caseworker"),
    ("office=" + "x" * 200, "at most 120"),
])
def test_bad_filters_answer_400_with_the_reason_and_list_nothing(client, cast, agency, query, message):
    client.force_login(cast.manager)
    page = client.get(f"/contacts/dashboard/federal/?{query}")
    assert page.status_code == 400 and message in page.content.decode()
    assert agency["a"].reference not in page.content.decode()
    api = client.get(f"/api/federal-visits/child-months/?{query}")
    assert api.status_code == 400 and message in str(api.json())


def test_an_unknown_office_lists_nothing_and_counts_nothing(client, cast, agency):
    client.force_login(cast.manager)
    page = client.get("/contacts/dashboard/federal/?office=Nowhere")
    assert page.status_code == 200 and page.context["count"] == 0 and page.context["not_listed"] == 0


# Who sees which child-months (tests/cases/test_access.py VISIBLE): a, b are team A's; c team B's; d office 2's.
SEES = {
    "worker": {"a", "b"}, "colleague": {"a", "b"}, "support_officer": {"a", "b"}, "other_team_worker": {"c"},
    "leader": {"a", "b"}, "other_team_leader": {"c"}, "manager": {"a", "b", "c"}, "other_office_manager": {"d"},
    "administrator": set(),
}


@pytest.mark.parametrize("role", list(SEES))
def test_each_of_the_cast_lists_only_the_child_months_of_cases_they_may_see(client, cast, agency, role):
    client.force_login(getattr(cast, role))
    names = {case.reference: key for key, case in agency.items()}
    page = client.get("/contacts/dashboard/federal/")
    assert page.status_code == 200
    assert {names[r.result.case.reference] for r in page.context["rows"]} == SEES[role]
    body = page.content.decode()
    assert not [case.reference for key, case in agency.items() if key not in SEES[role] and case.reference in body]
    api = client.get("/api/federal-visits/child-months/").json()
    assert {names[r["case"]] for r in api["results"]} == SEES[role]
    counted = client.get("/api/federal-visits/").json()["overall"]["child_months"]
    # The counts of the cases within their reach: a 1, b 2, c 1, d 1 (the hand count).
    assert counted == sum({"a": 1, "b": 2, "c": 1, "d": 1}[key] for key in SEES[role])


def test_a_restricted_case_is_counted_and_not_listed(client, cast, agency):
    from cases import services

    services.case_restrict(user=cast.leader, case=agency["a"], reason="The mother works in this office.")
    client.force_login(cast.manager)
    assert client.get("/api/federal-visits/").json()["overall"]["child_months"] == 4
    page = client.get("/contacts/dashboard/federal/")
    assert agency["a"].reference not in page.content.decode()
    assert page.context["count"] == 3 and page.context["not_listed"] == 1
    assert "1 child-month of restricted cases you may not see" in page.content.decode()
    download = client.get("/contacts/dashboard/federal/?export=csv").content.decode()
    assert agency["a"].reference not in download
    assert client.get("/contacts/dashboard/federal/?seen=no").context["not_listed"] == 0
    client.force_login(cast.leader)
    assert client.get("/contacts/dashboard/federal/").context["not_listed"] == 0


def test_signed_out_and_switched_off(client, cast, agency, settings):
    assert client.get("/contacts/dashboard/federal/").status_code == 302
    assert client.get("/api/federal-visits/").status_code in (401, 403)
    client.force_login(cast.manager)
    settings.FEDERAL_VISIT_MEASURE = False
    assert client.get("/contacts/dashboard/federal/").status_code == 404
    assert client.get("/api/federal-visits/").status_code == 404
    assert client.get("/api/federal-visits/child-months/").status_code == 404
    page = client.get("/contacts/dashboard/")
    assert "federal" not in page.context and "Federal monthly caseworker visits" not in page.content.decode()


def test_a_closed_month_keeps_its_federal_result_until_a_person_amends_it(cast, agency):
    c = agency["c"]
    compliance.month_freeze(cases=Case.objects.all(), month=LAST)
    visit(c, c.children, day=25)  # recorded late
    compliance.case_months_recompute(cases=Case.objects.filter(pk=c.pk), month=LAST)
    assert CaseMonth.objects.get(case=c, month=LAST).federal_visited == 0  # frozen
    compliance.case_months_recompute(cases=Case.objects.filter(pk=c.pk), month=LAST, by=cast.leader,
                                     reason="Visit recorded late")
    row = CaseMonth.objects.get(case=c, month=LAST)
    assert (row.federal_children, row.federal_visited, row.federal_at_residence) == (1, 1, 1)
    assert CaseMonthAmendment.objects.filter(case=c, month=LAST).exists()


def test_a_changed_rule_makes_every_result_out_of_date(cast, agency, monkeypatch):
    from contacts import federal, recompute, results

    before = results.rules_fingerprint()
    results._code_digest.cache_clear()
    monkeypatch.setattr(results.inspect, "getsource",
                        lambda part: "changed" if part is federal else results.inspect.getsourcefile(part) or "")
    assert results.rules_fingerprint() != before
    results._code_digest.cache_clear()
    monkeypatch.undo()
    assert results.rules_fingerprint() == before
    assert recompute.cases_needing_recompute(Case.objects.all(), LAST).count() == 0


FEDERAL_PAGES = ["/contacts/dashboard/", "/contacts/dashboard/federal/", "/contacts/dashboard/federal/?export=csv",
                 "/contacts/dashboard/?export=federal", "/api/federal-visits/", "/api/federal-visits/child-months/"]


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm the session and per-process caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_pages_cost_the_same_queries_with_more_child_months(client, cast, agency, django_assert_max_num_queries):
    client.force_login(cast.manager)
    before = {url: _queries(client, url) for url in FEDERAL_PAGES}
    for worker in (cast.worker, cast.colleague, cast.other_team_worker):
        for _ in range(3):
            case = in_care_case(worker, LONG_AGO, LONG_AGO)
            visit(case, case.children[:1])
    compliance.case_months_recompute(cases=Case.objects.all(), month=LAST)
    after = {url: _queries(client, url) for url in FEDERAL_PAGES}
    assert after == before
    # Pinned: the dashboard's federal section is one GROUP BY more than the page it joins.
    with django_assert_max_num_queries(16):
        client.get("/contacts/dashboard/federal/")
    with django_assert_max_num_queries(16):
        client.get("/api/federal-visits/child-months/")


@pytest.mark.parametrize("environment,starts", [
    ({}, True), ({"FEDERAL_VISIT_TARGET": "90"}, True), ({"FEDERAL_VISIT_TARGET": "0"}, False),
    ({"FEDERAL_VISIT_TARGET": "101"}, False), ({"FEDERAL_VISIT_TARGET": "ninety"}, False),
    ({"FEDERAL_VISIT_MEASURE": "0"}, True), ({"FEDERAL_VISIT_MEASURE": "perhaps"}, False),
])
def test_bad_federal_settings_fail_at_start(environment, starts):
    import os
    import subprocess
    import sys

    from django.conf import settings as django_settings

    env = {**os.environ, **environment, "DJANGO_SETTINGS_MODULE": "casework.settings"}
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True,
                            text=True, timeout=60, cwd=django_settings.BASE_DIR)
    assert (result.returncode == 0) == starts, result.stderr[-1000:]

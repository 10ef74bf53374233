"""The access log: every read of a child's record is recorded (who, which case, when, how,
what) in one insert per request; who has looked at a case; the managers' access report;
retention."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessFailureLog, AccessLog
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case, CaseLook
from cases.services import access_log_purge
from cases.tasks import access_log_purge as access_log_purge_task
from casework.schedule import SCHEDULE
from contacts import compliance
from contacts.selectors import ensure_month_result
from contacts.services import ContactInput, contact_record
from tests import factories as f
from tests.caseplans.conftest import draft_plan
from tests.conftest import make_family_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(cast):
    return make_family_case(cast.worker)


def _look_inserts(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries
            if q["sql"].lstrip().upper().startswith("INSERT") and "cases_caselook" in q["sql"]]


def _get(client, url, **extra):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **extra)
    return response, _look_inserts(captured)


def _only_look(case, user):
    looks = list(CaseLook.objects.filter(case=case, user=user))
    assert len(looks) == 1, looks
    return looks[0]


def test_the_case_page_records_one_look(client, cast, family):
    client.force_login(cast.worker)
    response, inserts = _get(client, family.get_absolute_url())
    assert response.status_code == 200
    assert len(inserts) == 1
    look = _only_look(family, cast.worker)
    assert (look.how, look.what, look.person_id) == ("page", "cases:detail", None)
    assert abs((timezone.now() - look.at).total_seconds()) < 60


def test_a_persons_page_records_the_person(client, cast, family):
    member = family.children[0]
    client.force_login(cast.worker)
    response, inserts = _get(client, f"/cases/{family.reference}/members/{member.pk}/edit/")
    assert response.status_code == 200 and len(inserts) == 1
    look = _only_look(family, cast.worker)
    assert (look.how, look.what, look.person_id) == ("page", "cases:member_edit", member.person_id)


def test_contact_month_timeline_and_pdf_record_their_route(client, cast, family):
    contact = contact_record(user=cast.worker, case=family, data=ContactInput(
        occurred_at=timezone.now(), kind="face_to_face", made_by=cast.worker, participants=family.children))
    ensure_month_result(family, timezone.localdate())
    draft_plan(family, cast.worker)
    client.force_login(cast.worker)
    month = timezone.localdate().strftime("%Y-%m")
    expected = {
        f"/contacts/{contact.pk}/": ("page", "contacts:detail"),
        f"/contacts/case/{family.reference}/month/{month}/": ("page", "contacts:month"),
        f"/contacts/case/{family.reference}/timeline/": ("page", "contacts:timeline"),
        f"/plans/cases/{family.reference}/v1/pdf/?copy=family": ("pdf", "caseplans:plan_pdf"),
    }
    for url, (how, what) in expected.items():
        CaseLook.objects.all().delete()
        response, inserts = _get(client, url)
        assert response.status_code == 200, url
        assert len(inserts) == 1, url
        look = _only_look(family, cast.worker)
        assert (look.how, look.what) == (how, what), url


def test_api_detail_and_list_record_each_case_in_one_insert(client, cast):
    many = [make_family_case(cast.worker, children=1) for _ in range(12)]
    client.force_login(cast.worker)
    response, inserts = _get(client, f"/api/cases/{many[0].reference}/")
    assert response.status_code == 200 and len(inserts) == 1
    assert (_only_look(many[0], cast.worker).how, _only_look(many[0], cast.worker).what) == ("api", "case-detail")
    CaseLook.objects.all().delete()
    response, inserts = _get(client, "/api/cases/")
    assert response.status_code == 200 and len(inserts) == 1
    looks = CaseLook.objects.filter(user=cast.worker)
    assert set(looks.values_list("case_id", flat=True)) == {c.pk for c in many}
    assert set(looks.values_list("how", "what")) == {("api", "case-list")}
    # A list of records of several cases (members) notes each case once.
    CaseLook.objects.all().delete()
    response, inserts = _get(client, "/api/members/")
    assert response.status_code == 200 and len(inserts) == 1
    assert sorted(CaseLook.objects.values_list("case_id", flat=True)) == sorted(c.pk for c in many)


def test_the_case_list_and_its_search_note_each_case_shown_in_one_insert(client, cast):
    many = [make_family_case(cast.worker, children=1) for _ in range(6)]
    client.force_login(cast.worker)
    response, inserts = _get(client, "/cases/")
    assert response.status_code == 200 and len(inserts) == 1
    assert set(CaseLook.objects.values_list("case_id", "how", "what")) == {
        (c.pk, "page", "cases:my_cases") for c in many}
    CaseLook.objects.all().delete()
    response, inserts = _get(client, "/cases/", data={"q": many[2].reference})
    assert response.status_code == 200 and len(inserts) == 1
    assert list(CaseLook.objects.values_list("case_id", flat=True)) == [many[2].pk]


def test_a_csv_of_hundreds_of_cases_is_one_insert(client, cast):
    month = timezone.localdate().replace(day=1)
    cases = f.CaseFactory.create_batch(220, caseworker=cast.worker, team=cast.team_a,
                                       opened_on=month - dt.timedelta(days=40))
    compliance.case_months_recompute(cases=Case.objects.all(), month=month)
    client.force_login(cast.manager)
    response, inserts = _get(client, f"/contacts/dashboard/cases/?month={month:%Y-%m}&export=csv")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    assert len(inserts) == 1
    looks = CaseLook.objects.filter(user=cast.manager)
    assert looks.count() == 220 and set(looks.values_list("case_id", flat=True)) == {c.pk for c in cases}
    assert set(looks.values_list("how", "what")) == {("export", "contacts:drill_down")}
    # The drill-down page notes the cases it shows, also in one insert.
    CaseLook.objects.all().delete()
    response, inserts = _get(client, f"/contacts/dashboard/cases/?month={month:%Y-%m}")
    assert response.status_code == 200 and len(inserts) == 1
    assert CaseLook.objects.filter(user=cast.manager, how="page").count() == 220


def test_a_404_or_403_records_nothing(client, cast, cases):
    client.force_login(cast.worker)
    other = cases["other_office"]
    for url in (other.get_absolute_url(), f"/contacts/case/{other.reference}/timeline/",
                f"/api/cases/{other.reference}/", "/cases/QLD-1999-999999/"):
        response, inserts = _get(client, url)
        assert response.status_code == 404, url
        assert inserts == [], url
    client.force_login(cast.manager)  # sees the case, may not edit it: 403
    assert client.get(f"/cases/{cases['own'].reference}/edit/").status_code == 403
    assert not CaseLook.objects.exists()


def test_recording_can_be_turned_off(client, cast, family, settings):
    settings.ACCESS_LOG_ENABLED = False
    client.force_login(cast.worker)
    assert client.get(family.get_absolute_url()).status_code == 200
    assert not CaseLook.objects.exists()


# --- Who has looked at this case -----------------------------------------------------------

LOOKS_ALLOWED = {"leader", "manager"}
LOOKS_REFUSED = {"worker", "colleague", "other_team_worker", "other_team_leader", "other_office_manager",
                 "support_officer", "administrator"}


@pytest.mark.parametrize("role", sorted(LOOKS_ALLOWED | LOOKS_REFUSED))
def test_who_has_looked_is_for_the_team_leader_and_office_managers(client, cast, family, role):
    client.force_login(cast.worker)
    client.get(family.get_absolute_url())
    client.force_login(getattr(cast, role))
    response = client.get(f"/cases/{family.reference}/looks/")
    assert response.status_code == (200 if role in LOOKS_ALLOWED else 404)
    page = client.get(family.get_absolute_url()).content.decode()
    assert (f"/cases/{family.reference}/looks/" in page) == (role in LOOKS_ALLOWED)
    if role in LOOKS_ALLOWED:
        text = response.content.decode()
        assert cast.worker.get_full_name() in text and "cases:detail" in text


def test_who_has_looked_of_a_missing_case_is_404_and_anonymous_signs_in(client, cast):
    client.force_login(cast.leader)
    assert client.get("/cases/QLD-1999-999999/looks/").status_code == 404
    client.logout()
    assert client.get("/cases/QLD-1999-999999/looks/").status_code == 302


def test_who_has_looked_is_newest_first_paginated_and_not_itself_a_look(client, cast, family):
    base = timezone.now() - dt.timedelta(days=1)
    CaseLook.objects.bulk_create([CaseLook(case=family, user=cast.worker, at=base + dt.timedelta(minutes=i),
                                           how="page", what=f"route{i}") for i in range(60)])
    client.force_login(cast.leader)
    response = client.get(f"/cases/{family.reference}/looks/")
    text = response.content.decode()
    assert text.index("route59") < text.index("route58") and "route9<" not in text
    assert "Page 1 of 2" in text
    assert "route0<" in client.get(f"/cases/{family.reference}/looks/?page=2").content.decode()
    assert not CaseLook.objects.filter(user=cast.leader).exists()
    assert client.get(f"/cases/{family.reference}/looks/?page=abc").status_code == 200


def test_who_has_looked_costs_the_same_queries_whatever_the_rows(client, cast, family, django_assert_max_num_queries):
    client.force_login(cast.leader)
    url = f"/cases/{family.reference}/looks/"
    CaseLook.objects.bulk_create([CaseLook(case=family, user=cast.worker, at=timezone.now(), how="page", what="x")
                                  for _ in range(3)])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    users = [f.UserFactory(team=cast.team_a) for _ in range(5)]
    CaseLook.objects.bulk_create([CaseLook(case=family, user=users[i % 5], person=family.children[0].person,
                                           at=timezone.now(), how="api", what="y") for i in range(45)])
    with django_assert_max_num_queries(len(small)):
        assert client.get(url).status_code == 200


# --- The managers' access report -------------------------------------------------------------


def test_the_report_shows_looks_from_outside_the_caseload_and_team(client, cast, cases):
    own = cases["own"]
    shared_with = f.UserFactory(team=cast.team_b, username="helper")  # other team: outside
    now = timezone.now()
    CaseLook.objects.bulk_create([
        CaseLook(case=own, user=cast.worker, at=now, how="page", what="allocated"),
        CaseLook(case=own, user=cast.colleague, at=now, how="page", what="same_team"),
        CaseLook(case=own, user=cast.leader, at=now, how="page", what="leads_team"),
        CaseLook(case=own, user=shared_with, at=now, how="api", what="from_team_b"),
        CaseLook(case=own, user=cast.manager, at=now, how="page", what="manager_outside"),
        CaseLook(case=cases["other_office"], user=cast.other_office_manager, at=now, how="page", what="office_2"),
        CaseLook(case=own, user=shared_with, at=now - dt.timedelta(days=90), how="page", what="too_old"),
    ])
    client.force_login(cast.manager)
    text = client.get("/cases/access-report/").content.decode()
    for shown in ("from_team_b", "manager_outside", own.reference):
        assert shown in text
    for hidden in ("allocated", "same_team", "leads_team", "office_2", "too_old"):
        assert hidden not in text
    for child in own.children:
        assert child.person.given_name not in text


@pytest.mark.parametrize("role", ["worker", "leader", "other_team_leader", "support_officer", "administrator"])
def test_the_report_is_for_managers_only(client, cast, role):
    client.force_login(getattr(cast, role))
    assert client.get("/cases/access-report/").status_code == 404


@pytest.mark.parametrize("query,message", [
    ("start=2026-13-01", "Enter the first day as a date"),
    ("end=yesterday", "Enter the last day as a date"),
    ("start=2026-03-10&end=2026-03-01", "“From” is after “To”"),
    ("start=2020-01-01&end=2026-01-01", "at most 366 days"),
])
def test_the_report_refuses_a_bad_period_with_the_reason(client, cast, query, message):
    client.force_login(cast.manager)
    response = client.get(f"/cases/access-report/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_report_shows_sign_ins_and_failures_of_the_offices_staff(client, cast, settings):
    client.post("/accounts/login/", {"username": cast.worker.username, "password": "wrong-password"})
    client.post("/accounts/login/", {"username": cast.worker.username, "password": f.PASSWORD})
    client.post("/accounts/login/", {"username": "worker_c_unknown", "password": "wrong-password"})
    assert AccessFailureLog.objects.filter(username=cast.worker.username).exists()
    assert AccessLog.objects.filter(username=cast.worker.username).exists()
    client.force_login(cast.manager)
    text = client.get("/cases/access-report/?tab=sign-ins").content.decode()
    signins, failures = text.split("Failed sign-ins</h2>")
    assert cast.worker.username in signins and cast.worker.username in failures
    assert "worker_c_unknown" not in text
    client.force_login(cast.other_office_manager)
    page = client.get("/cases/access-report/?tab=sign-ins").content.decode()
    assert cast.worker.username not in page.split('<main id="main">')[1]  # (the page's head names the service worker)


# --- Retention ---------------------------------------------------------------------------------


def test_looks_past_the_retention_are_deleted_in_batches(cast, family, settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 30
    with time_machine.travel(dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC), tick=False):
        now = timezone.now()
        CaseLook.objects.bulk_create(
            [CaseLook(case=family, user=cast.worker, at=now - dt.timedelta(days=31, minutes=i), how="page", what="old")
             for i in range(7)]
            + [CaseLook(case=family, user=cast.worker, at=now - dt.timedelta(days=29), how="page", what="kept")])
        assert access_log_purge(now=now, batch_size=3) == 7
        assert list(CaseLook.objects.values_list("what", flat=True)) == ["kept"]
        assert access_log_purge_task.delay().get() == 0


def test_the_purge_is_on_the_schedule():
    assert SCHEDULE["Access log retention"][0] == "cases.tasks.access_log_purge"


@pytest.mark.parametrize("value", ["0", "seven years"])
def test_a_bad_retention_setting_fails_at_start(settings, value):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", "import casework.settings"], capture_output=True, text=True,
                            env={"ACCESS_LOG_RETENTION_DAYS": value, "PATH": "/usr/bin:/bin"}, cwd=settings.BASE_DIR)
    assert result.returncode != 0
    assert "ACCESS_LOG_RETENTION_DAYS" in result.stderr or "invalid literal" in result.stderr


def test_the_bench_command_prints_both_figures(cast, family):
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command("bench_access_log", repeat=5, reference=family.reference, stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["on"]["queries"] == figures["off"]["queries"] + 1  # the one insert
    assert figures["looks_written"] == 5 + 5  # one per timed request with recording on, and its warm-up
    assert CaseLook.objects.filter(case=family, what="cases:detail").count() == 10
    # The insert alone is timed too, and leaves no look behind.
    assert figures["insert_alone"]["median_ms"] > 0 and not CaseLook.objects.filter(what="bench:insert").exists()


@pytest.mark.parametrize("endpoint", ["/api/contacts/", "/api/legal-statuses/", "/api/record-alerts/"])
def test_api_lists_note_looks_without_a_query_per_row(client, cast, endpoint):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(endpoint).status_code == 200
        return len(captured)

    client.force_login(cast.worker)
    for _ in range(2):
        case = make_family_case(cast.worker, children=1)
        contact_record(user=cast.worker, case=case, data=ContactInput(
            occurred_at=timezone.now(), kind="face_to_face", made_by=cast.worker, participants=case.children))
    queries()
    small = queries()
    for _ in range(6):
        case = make_family_case(cast.worker, children=1)
        contact_record(user=cast.worker, case=case, data=ContactInput(
            occurred_at=timezone.now(), kind="face_to_face", made_by=cast.worker, participants=case.children))
    assert queries() == small

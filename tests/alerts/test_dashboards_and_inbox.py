"""Dashboards, drill-down and CSV, the alerts inbox and bell, the scheduler runs page,
and the beat schedule — who sees what, and that the numbers are the stored results."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from alerts.models import Alert
from cases.models import Case
from contacts import compliance, dashboards, rules
from contacts.models import CaseMonth, ComplianceRun
from tests.conftest import make_family_case


@pytest.fixture
def results(cast):
    """Two months of stored results: team A has one case met and one short; team B one short."""
    this = timezone.localdate().replace(day=1)
    last = rules.add_months(this, -1)
    cases = {
        "met": make_family_case(cast.worker, risk="low", children=1),
        "short": make_family_case(cast.colleague, risk="high", children=1),
        "other_team": make_family_case(cast.other_team_worker, risk="low", children=1),
    }
    for month in (last, this):
        compliance.case_months_recompute(cases=Case.objects.all(), month=month)
    CaseMonth.objects.filter(case=cases["met"]).update(status="met")
    return cases, last, this


def test_compliance_rate_is_met_over_assessable_case_months(cast, results):
    cases, last, this = results
    CaseMonth.objects.filter(case=cases["other_team"], month=last).update(status="not_assessable")
    by_team = dashboards.compliance_by(cast.manager, "team", [last, this])
    team_a = by_team[cast.team_a.name]
    assert (team_a[last].met, team_a[last].assessable, team_a[last].rate) == (1, 2, 50.0)
    team_b = by_team[cast.team_b.name]
    assert team_b[last].assessable == 0 and team_b[last].rate is None and team_b[last].not_assessable == 1
    # A team leader only sees their own teams.
    assert set(dashboards.compliance_by(cast.leader, "team", [last, this])) == {cast.team_a.name}


@pytest.mark.parametrize("role,template", [
    ("worker", "contacts/dashboard_caseworker.html"), ("support_officer", "contacts/dashboard_caseworker.html"),
    ("leader", "contacts/dashboard_team.html"), ("manager", "contacts/dashboard_manager.html"),
])
def test_each_role_gets_its_dashboard(client, cast, results, role, template):
    client.force_login(getattr(cast, role))
    response = client.get("/contacts/dashboard/")
    assert response.status_code == 200 and template in [t.name for t in response.templates]
    assert "assessable case-months fully met" in response.content.decode() or role in ("worker", "support_officer")


def test_administrators_have_no_case_dashboard(client, cast):
    client.force_login(cast.administrator)
    assert client.get("/contacts/dashboard/").status_code == 404


def test_manager_drills_down_to_the_cases_behind_a_number_within_their_offices(client, cast, results):
    cases, last, this = results
    client.force_login(cast.manager)
    page = client.get(f"/contacts/dashboard/cases/?month={last:%Y-%m}&status=short").content.decode()
    assert cases["short"].reference in page and cases["other_team"].reference in page
    assert cases["met"].reference not in page
    client.force_login(cast.other_office_manager)
    page = client.get(f"/contacts/dashboard/cases/?month={last:%Y-%m}&status=short").content.decode()
    assert cases["short"].reference not in page


def test_team_leader_sees_shortfalls_by_caseworker(client, cast, results):
    client.force_login(cast.leader)
    rows = list(client.get("/contacts/dashboard/").context["by_caseworker"])
    assert [r["case__caseworker__username"] for r in rows] == [cast.colleague.username]


def test_csv_exports_neutralise_spreadsheet_formulas(client, cast, results):
    assert dashboards.csv_safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert dashboards.csv_safe("+1") == "'+1" and dashboards.csv_safe("-1") == "'-1"
    assert dashboards.csv_safe("@SUM") == "'@SUM" and dashboards.csv_safe("Team A") == "Team A"
    cases, last, _ = results
    cast.team_a.name = "=cmd|' /C calc'!A0"
    cast.team_a.save()
    client.force_login(cast.manager)
    response = client.get("/contacts/dashboard/?export=team")
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Team" and any(row[0] == "'=cmd|' /C calc'!A0" for row in rows)
    drill = client.get(f"/contacts/dashboard/cases/?month={last:%Y-%m}&export=csv").content.decode()
    assert "'=cmd|" in drill and cases["short"].reference in drill


def test_dashboard_query_counts_do_not_grow_with_cases(client, cast, results):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as captured:
            client.get("/contacts/dashboard/")
        return len(captured)

    client.force_login(cast.manager)
    before = count()
    for _ in range(5):
        make_family_case(cast.worker)
    compliance.case_months_recompute(cases=Case.objects.all(), month=timezone.localdate())
    assert count() == before


def test_alerts_inbox_filters_and_only_recipients_acknowledge(client, cast, results):
    cases, last, _ = results
    compliance.month_freeze(cases=Case.objects.all(), month=last)
    alert = Alert.objects.get(case=cases["short"], kind="contact_shortfall")
    client.force_login(cast.worker)  # not a recipient of the colleague's case alert
    assert client.post(f"/alerts/{alert.pk}/acknowledge/").status_code == 404
    client.force_login(cast.colleague)
    page = client.get("/alerts/?kind=contact_shortfall").content.decode()
    assert cases["short"].reference in page and 'class="count">1<' in page
    assert client.post(f"/alerts/{alert.pk}/acknowledge/").status_code == 302
    alert.refresh_from_db()
    assert alert.status == "acknowledged" and alert.acknowledged_by == cast.colleague
    assert cases["short"].reference not in client.get("/alerts/").content.decode()  # default: new only
    assert cases["short"].reference in client.get("/alerts/?status=all").content.decode()


def test_scheduler_runs_page_is_for_administrators_and_recompute_now_shows_progress(client, cast, results,
                                                                                  django_capture_on_commit_callbacks):
    for role in ("worker", "leader", "manager"):
        client.force_login(getattr(cast, role))
        assert client.get("/contacts/runs/").status_code == 404
        assert client.post("/contacts/runs/now/").status_code == 404
    client.force_login(cast.administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/contacts/runs/now/")
    run = ComplianceRun.objects.get()
    assert response["Location"] == f"/contacts/runs/{run.pk}/"
    run.refresh_from_db()
    assert run.finished_at and run.cases_processed == 3 and run.progress_percent == 100
    progress = client.get(f"/contacts/runs/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'value="100"' in progress and "3 cases" in progress
    page = client.get("/contacts/runs/").content.decode()
    assert "Recompute now" in page and "No case-month is waiting for a recompute." in page


def test_the_runs_page_shows_recomputes_left_behind_by_a_broker_outage(client, cast):
    from contacts.models import PendingRecompute

    family = make_family_case(cast.worker)
    PendingRecompute.objects.create(case=family, month=timezone.localdate().replace(day=1),
                                    requested_at=timezone.make_aware(dt.datetime(2026, 11, 20, 9, 30)))
    client.force_login(cast.administrator)
    page = client.get("/contacts/runs/").content.decode()
    assert "1 case-month waiting for a recompute since 20 Nov 2026 09:30" in page
    assert family.reference not in page  # a count for administrators, not a list of cases


def test_sync_schedule_writes_the_beat_schedule_once(db):
    from django.core.management import call_command
    from django_celery_beat.models import PeriodicTask

    from casework.schedule import SCHEDULE

    call_command("sync_schedule")
    call_command("sync_schedule")
    tasks = {t.name: t for t in PeriodicTask.objects.all()}
    assert set(SCHEDULE) <= set(tasks)
    nightly = tasks["Nightly compliance recompute"]
    assert nightly.task == "contacts.tasks.nightly_compliance"
    assert (nightly.crontab.hour, nightly.crontab.minute) == ("2", "0")
    watch = tasks["Watch compliance runs"]
    assert (watch.task, watch.crontab.hour, watch.crontab.minute) == ("contacts.tasks.runs_watch", "*", "*/15")


def test_the_drill_down_and_its_csv_speak_as_the_pages_do(client, cast, results):
    cases, last, this = results
    client.force_login(cast.leader)
    url = f"/contacts/dashboard/cases/?month={this:%Y-%m}&caseworker={cast.colleague.username}&risk_level=high"
    title = client.get(url).content.decode().split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert f"Caseworker: {cast.colleague.get_full_name()}" in title and cast.colleague.username not in title
    assert "Risk level: High" in title
    rows = list(csv.reader(io.StringIO(client.get(url + "&export=csv").content.decode())))
    header, line = rows[0], rows[1]
    assert line[header.index("Risk level")] == "High"
    # This month is still running: the page says "Still needed", so does the CSV.
    assert line[header.index("Status")] == "Still needed"


def test_my_month_puts_the_cases_needing_most_contact_first_and_can_hide_the_rest(client, cast):
    this = timezone.localdate().replace(day=1)
    cases = {name: make_family_case(cast.worker, children=1) for name in ("met", "one", "three", "unknown")}
    compliance.case_months_recompute(cases=Case.objects.all(), month=this)
    staged = {"met": ("met", 2, 2), "one": ("short", 3, 2), "three": ("short", 4, 1), "unknown": ("not_assessable", 0, 0)}
    for name, (status, required, achieved) in staged.items():
        CaseMonth.objects.filter(case=cases[name], month=this).update(status=status, required_total=required,
                                                                     achieved_total=achieved)
    client.force_login(cast.worker)
    page = client.get("/contacts/dashboard/").content.decode()
    order = sorted(cases, key=lambda name: page.index(cases[name].reference))
    assert order == ["three", "one", "unknown", "met"]
    assert "3 still needed" in page
    needed_only = client.get("/contacts/dashboard/?needed=1").content.decode()
    assert cases["met"].reference not in needed_only and cases["three"].reference in needed_only


def test_dashboard_csvs_name_case_types_and_risk_levels_in_words(client, cast, results):
    client.force_login(cast.manager)
    by_type = client.get("/contacts/dashboard/?export=case_type").content.decode()
    by_risk = client.get("/contacts/dashboard/?export=risk_level").content.decode()
    assert "In-home" in by_type and "in_home" not in by_type
    assert "High" in by_risk and "\nhigh," not in by_risk

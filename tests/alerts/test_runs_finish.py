"""Runs always finish (issue 11, defect 5): a chunk delivered twice counts once, the
watchdog re-sends chunks a lost worker left behind and fails a run that cannot finish,
every nightly run catches up the recomputes left behind, and "Recompute now" with the
broker down says so and leaves nothing half-made. The clock is pinned in every test."""

import datetime as dt
import zoneinfo

import celery
import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from contacts import compliance, rules, tasks
from contacts.models import CaseMonth, ComplianceRun, PendingRecompute, RunChunk
from tests.conftest import make_family_case

AGENCY = zoneinfo.ZoneInfo(settings.TIME_ZONE)
NIGHT = dt.datetime(2026, 3, 10, 2, 0, tzinfo=AGENCY)  # 02:00 agency time, when the nightly run starts


@pytest.fixture
def clock():
    with time_machine.travel(NIGHT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def agency(clock, cast):
    """Three open cases: two in team A, one in team B."""
    return [make_family_case(cast.worker, risk="low", children=1),
            make_family_case(cast.colleague, risk="low", children=1),
            make_family_case(cast.other_team_worker, risk="low", children=1)]


def _broker_down(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_a_chunk_delivered_twice_counts_once_and_the_run_finishes(cast, agency):
    run = compliance.run_start(kind="nightly", month=timezone.localdate())
    compliance.chunk_process(run_id=run.pk, team_id=cast.team_a.pk)
    compliance.chunk_process(run_id=run.pk, team_id=cast.team_a.pk)  # redelivered: its first worker was lost
    run.refresh_from_db()
    assert (run.done_chunks, run.cases_processed, run.finished_at) == (1, 2, None)
    compliance.chunk_process(run_id=run.pk, team_id=cast.team_b.pk)
    run.refresh_from_db()
    assert (run.done_chunks, run.cases_processed) == (2, 3) and run.finished_at == timezone.now()


def test_a_second_nightly_run_the_same_day_still_catches_up_the_pending_recomputes(cast, agency, clock):
    assert tasks.nightly_compliance()
    last_month = rules.add_months(timezone.localdate().replace(day=1), -1)
    clock.shift(dt.timedelta(hours=1))
    PendingRecompute.objects.create(case=agency[0], month=last_month,
                                    requested_at=timezone.now() - dt.timedelta(hours=1))
    assert tasks.nightly_compliance() is None  # the day's run exists: no second run ...
    assert ComplianceRun.objects.count() == 1
    assert not PendingRecompute.objects.exists()  # ... but the catch-up ran
    assert CaseMonth.objects.filter(case=agency[0], month=last_month).exists()


def test_recompute_now_with_the_broker_down_says_so_and_starts_nothing(client, cast, agency, monkeypatch,
                                                                       django_capture_on_commit_callbacks):
    monkeypatch.setattr(tasks.run_fan_out, "apply_async", _broker_down)
    client.force_login(cast.administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/contacts/runs/now/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [("/contacts/runs/", 302)]
    page = response.content.decode()
    assert "The task queue is not answering; nothing was started. Try again in a few minutes." in page
    assert not ComplianceRun.objects.exists()


def test_the_broker_redelivers_a_lost_task_only_after_its_time_limit_has_killed_it():
    from casework.celery import app

    visibility_timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT < visibility_timeout
    assert app.conf.broker_transport_options["visibility_timeout"] == visibility_timeout
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost


class _LostGroup:
    """Chunks handed to a broker whose worker then dies: published, never run."""

    sent = []

    def __init__(self, signatures):
        self.signatures = list(signatures)

    def apply_async(self):
        _LostGroup.sent.append(sorted(signature.args[1] for signature in self.signatures))


class _BrokerDownGroup(_LostGroup):
    def apply_async(self):
        _broker_down()


@pytest.fixture
def lost(monkeypatch):
    _LostGroup.sent = []
    monkeypatch.setattr(tasks, "group", _LostGroup)
    return _LostGroup.sent


def _chunk(run_id, team):
    return RunChunk.objects.get(run_id=run_id, team=team)


def test_the_watchdog_sends_again_a_chunk_whose_worker_was_lost(cast, agency, clock, lost, monkeypatch):
    run_id = tasks.nightly_compliance()  # 02:00: both chunks published ...
    assert lost == [[cast.team_a.pk, cast.team_b.pk]]
    compliance.chunk_process(run_id=run_id, team_id=cast.team_b.pk)  # ... team B's worker finishes it
    clock.shift(dt.timedelta(minutes=1))
    RunChunk.objects.filter(run_id=run_id, team=cast.team_a).update(started_at=timezone.now())  # A's worker dies
    clock.shift(dt.timedelta(minutes=19, seconds=59))
    assert tasks.runs_watch() == 0  # 02:20:59, started 02:01: not yet stale
    clock.shift(dt.timedelta(seconds=2))
    monkeypatch.setattr(tasks, "group", celery.group)  # workers are back
    assert tasks.runs_watch() == 1
    run = ComplianceRun.objects.get(pk=run_id)
    assert (run.done_chunks, run.cases_processed, run.failed_at) == (2, 3, None) and run.finished_at == timezone.now()
    assert _chunk(run_id, cast.team_a).sends == 2 and _chunk(run_id, cast.team_b).sends == 1
    assert CaseMonth.objects.filter(month=run.month).count() == 3


def test_the_watchdog_fails_a_run_whose_chunk_never_finishes(cast, agency, clock, lost):
    run_id = tasks.nightly_compliance()
    compliance.chunk_process(run_id=run_id, team_id=cast.team_b.pk)
    for _ in range(settings.COMPLIANCE_CHUNK_MAX_SENDS - 1):
        clock.shift(dt.timedelta(minutes=21))
        assert tasks.runs_watch() == 1
    assert lost == [[cast.team_a.pk, cast.team_b.pk]] + [[cast.team_a.pk]] * (settings.COMPLIANCE_CHUNK_MAX_SENDS - 1)
    clock.shift(dt.timedelta(minutes=21))
    assert tasks.runs_watch() == 0
    run = ComplianceRun.objects.get(pk=run_id)
    assert run.failed_at == timezone.now() and run.finished_at is None and run.done_chunks == 1
    assert run.failure_reason.startswith(f"No progress on {cast.team_a.name} after 3 sends (last sent 10 Mar 2026 02:42)")
    # A late delivery of the failed run's chunk changes nothing; the watchdog leaves the run alone.
    assert compliance.chunk_process(run_id=run_id, team_id=cast.team_a.pk) == 0
    clock.shift(dt.timedelta(minutes=21))
    assert tasks.runs_watch() == 0
    run.refresh_from_db()
    assert (run.done_chunks, run.finished_at) == (1, None) and len(lost) == settings.COMPLIANCE_CHUNK_MAX_SENDS


def test_the_watchdog_leaves_running_and_finished_runs_alone(cast, agency, clock, lost, monkeypatch,
                                                             django_assert_num_queries):
    monkeypatch.setattr(tasks, "group", celery.group)
    finished = tasks.nightly_compliance()
    monkeypatch.setattr(tasks, "group", _LostGroup)
    running = compliance.run_start(kind="manual", month=timezone.localdate())
    tasks.run_fan_out(running.pk)  # 02:00
    clock.shift(dt.timedelta(minutes=10))
    compliance.chunk_process(run_id=running.pk, team_id=cast.team_b.pk)
    clock.shift(dt.timedelta(minutes=5))
    RunChunk.objects.filter(run=running, team=cast.team_a).update(started_at=timezone.now())  # 02:15, working on it
    clock.shift(dt.timedelta(minutes=15))
    with django_assert_num_queries(1):  # 02:30: one read, nothing to do
        assert tasks.runs_watch() == 0
    assert list(RunChunk.objects.filter(run_id__in=[finished, running.pk]).values_list("sends", flat=True)) == [1] * 4
    running.refresh_from_db()
    assert running.failed_at is None and running.finished_at is None


def test_a_failed_publish_of_the_chunks_leaves_the_run_to_the_watchdog(cast, agency, clock, monkeypatch):
    monkeypatch.setattr(tasks, "group", _BrokerDownGroup)
    with pytest.raises(OperationalError):
        tasks.nightly_compliance()  # the broker went away between the nightly task and its chunks
    run = ComplianceRun.objects.get()
    assert run.finished_at is None and set(run.chunks.values_list("sends", flat=True)) == {1}
    clock.shift(dt.timedelta(minutes=21))
    monkeypatch.setattr(tasks, "group", celery.group)
    assert tasks.runs_watch() == 2
    run.refresh_from_db()
    assert run.finished_at and run.cases_processed == 3


def test_a_transient_error_leaves_the_chunk_to_its_retry_and_a_bug_to_the_watchdog_with_the_error(cast, agency,
                                                                                                monkeypatch):
    run = compliance.run_start(kind="nightly", month=timezone.localdate())
    real = compliance.case_months_recompute

    def database_gone(**kwargs):
        raise ConnectionResetError("server closed the connection")

    monkeypatch.setattr(compliance, "case_months_recompute", database_gone)
    with pytest.raises(ConnectionResetError):
        compliance.chunk_process(run_id=run.pk, team_id=cast.team_a.pk)
    assert _chunk(run.pk, cast.team_a).finished_at is None  # retried by its task, else re-sent by the watchdog
    monkeypatch.setattr(compliance, "case_months_recompute", real)
    assert compliance.chunk_process(run_id=run.pk, team_id=cast.team_a.pk) == 2

    def bug(**kwargs):
        raise KeyError("f2f")

    monkeypatch.setattr(compliance, "case_months_recompute", bug)
    with pytest.raises(KeyError):
        compliance.chunk_process(run_id=run.pk, team_id=cast.team_b.pk)
    run.refresh_from_db()
    # Not finished: the watchdog sends it again (a month close must not leave a team open).
    assert run.finished_at is None and (run.done_chunks, run.cases_processed) == (1, 2)
    assert run.errors == [f"Team {cast.team_b.pk}: KeyError: 'f2f'"] == [_chunk(run.pk, cast.team_b).error]
    monkeypatch.setattr(compliance, "case_months_recompute", real)
    assert compliance.chunk_process(run_id=run.pk, team_id=cast.team_b.pk) == 1  # the watchdog's re-send
    run.refresh_from_db()
    assert run.finished_at and run.done_chunks == 2 and _chunk(run.pk, cast.team_b).error == ""


# --- The runs page ---------------------------------------------------------------------------

def _troubled_runs(cast, clock, count=1):
    """``count`` each of: a finished run, a run failed by the watchdog, a stuck run (chunks
    sent 30 minutes ago, never started). Ends at 02:30."""
    made = []
    for _ in range(count):
        finished = compliance.run_start(kind="manual", month=timezone.localdate(), by=cast.administrator)
        for team_id in compliance.run_chunks(finished):
            compliance.chunk_process(run_id=finished.pk, team_id=team_id)
        failed = compliance.run_start(kind="manual", month=timezone.localdate())
        ComplianceRun.objects.filter(pk=failed.pk).update(
            failed_at=timezone.now(), failure_reason=f"No progress on {cast.team_a.name} after 3 sends")
        stuck = compliance.run_start(kind="manual", month=timezone.localdate())
        compliance.run_chunks_send(run_id=stuck.pk)
        made += [finished, failed, stuck]
    clock.shift(dt.timedelta(minutes=30))
    return made


NOT_ADMINISTRATORS = ["worker", "colleague", "support_officer", "leader", "other_team_leader", "manager",
                      "other_office_manager"]


@pytest.mark.parametrize("role", NOT_ADMINISTRATORS)
def test_only_administrators_see_runs_others_get_404(client, cast, agency, clock, role):
    finished, failed, stuck = _troubled_runs(cast, clock)
    client.force_login(getattr(cast, role))
    assert client.get("/contacts/runs/").status_code == 404
    for run in (finished, failed, stuck):
        assert client.get(f"/contacts/runs/{run.pk}/").status_code == 404


def test_the_runs_page_shows_failed_and_stuck_runs(client, cast, agency, clock):
    finished, failed, stuck = _troubled_runs(cast, clock)
    client.force_login(cast.administrator)
    response = client.get("/contacts/runs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Finished 10 Mar 2026 02:00:00" in page
    assert (f'<strong class="run-failed">Failed</strong> 10 Mar 2026 02:00: No progress on {cast.team_a.name} '
            "after 3 sends") in page
    assert ('<strong class="run-stuck">Stuck</strong>: 2 teams without progress for 20 minutes (0 of 2 done); '
            "sent again automatically, 1 of at most 3 sends so far") in page
    assert [run.state for run in response.context["runs"]] == ["stuck", "failed", "finished"]  # latest first


def test_a_failed_runs_page_names_the_reason_and_stops_polling(client, cast, agency, clock):
    _, failed, stuck = _troubled_runs(cast, clock)
    client.force_login(cast.administrator)
    page = client.get(f"/contacts/runs/{failed.pk}/").content.decode()
    assert "Failed</strong> 10 Mar 2026 02:00: No progress on" in page and "hx-get" not in page
    assert client.get(f"/contacts/runs/{failed.pk}/", HTTP_HX_REQUEST="true").status_code == 286
    progress = client.get(f"/contacts/runs/{stuck.pk}/", HTTP_HX_REQUEST="true")
    assert progress.status_code == 200 and "Stuck</strong>: 2 teams" in progress.content.decode()
    assert progress.content.decode().count("1 time<") == 2  # each team sent once so far
    assert 'hx-get' in client.get(f"/contacts/runs/{stuck.pk}/").content.decode()  # still watched


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_runs_page_and_a_runs_page_cost_fixed_queries(client, cast, agency, clock, django_assert_num_queries):
    runs = _troubled_runs(cast, clock)
    client.force_login(cast.administrator)  # after the clock moved: sessions end after 30 idle minutes
    small = _queries(client, "/contacts/runs/"), _queries(client, f"/contacts/runs/{runs[2].pk}/")
    runs += _troubled_runs(cast, clock, count=3)
    client.force_login(cast.administrator)
    large = _queries(client, "/contacts/runs/"), _queries(client, f"/contacts/runs/{runs[2].pk}/")
    assert small == large, (small, large)
    # Sign-in, permissions, the alert bell and the session cost 8; the runs and the waiting
    # recomputes (or the run and its chunks) 2.
    with django_assert_num_queries(10):
        client.get("/contacts/runs/")
    with django_assert_num_queries(10):
        client.get(f"/contacts/runs/{runs[2].pk}/")


@pytest.mark.parametrize("environment,starts", [
    ({}, True),
    ({"CELERY_BROKER_VISIBILITY_TIMEOUT": "660"}, False),  # a task still running at its limit would be delivered again
    ({"CELERY_TASK_TIME_LIMIT": "1000"}, False),
    ({"COMPLIANCE_CHUNK_STALE_MINUTES": "15"}, False),  # the watchdog must give the broker its chance first
])
def test_limits_in_the_wrong_order_fail_at_start(environment, starts):
    import os
    import subprocess
    import sys

    env = {**os.environ, **environment, "DJANGO_SETTINGS_MODULE": "casework.settings"}
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True,
                            text=True, timeout=60, cwd=settings.BASE_DIR)
    assert (result.returncode == 0) == starts, result.stderr[-1000:]
    assert starts or "ImproperlyConfigured" in result.stderr

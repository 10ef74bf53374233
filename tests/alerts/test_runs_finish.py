"""Runs always finish (issue 11, defect 5): a chunk delivered twice counts once, the
watchdog re-sends chunks a lost worker left behind and fails a run that cannot finish,
every nightly run catches up the recomputes left behind, and "Recompute now" with the
broker down says so and leaves nothing half-made. The clock is pinned in every test."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from contacts import compliance, rules, tasks
from contacts.models import CaseMonth, ComplianceRun, PendingRecompute
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

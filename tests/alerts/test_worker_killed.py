"""A real worker killed with SIGKILL in the middle of a chunk: the broker (Redis) delivers
the chunk again after its visibility timeout, a second worker finishes it, and the run
finishes counting it once. Needs PostgreSQL (the workers are other processes) and Redis
(REDIS_URL); skipped otherwise. About 15 s: two worker start-ups and a 4 s visibility timeout."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from cases.models import Case
from casework.celery import app
from contacts import compliance, tasks
from contacts.models import ComplianceRun, RunChunk
from contacts.recompute import case_months_recompute
from tests.conftest import make_family_case

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)")]

VISIBILITY_TIMEOUT = 4
ROOT = Path(__file__).resolve().parent.parent.parent


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _worker(queue: str, log_path: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": _database_url(), "REDIS_URL": settings.REDIS_URL,
           "CELERY_TASK_ALWAYS_EAGER": "0", "CELERY_TASK_SOFT_TIME_LIMIT": "2", "CELERY_TASK_TIME_LIMIT": "3",
           "CELERY_BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "casework", "worker", "--pool", "solo", "-Q", queue, "-l", "info",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{queue}-{time.monotonic_ns()}@test"],
        cwd=ROOT, env=env, stdout=log_path.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)


def _wait(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _a_backend_waits_for_a_lock() -> bool:
    # Not on the locking connection: pg_stat_activity is a snapshot for a whole transaction.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                       "AND datname = current_database()")
        return cursor.fetchone()[0] > 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="worker processes need a shared PostgreSQL database")
def test_a_chunk_whose_worker_was_killed_is_delivered_again_and_the_run_finishes(cast, tmp_path):
    team_a = [make_family_case(cast.worker, risk="low", children=1), make_family_case(cast.colleague, risk="low")]
    make_family_case(cast.other_team_worker, risk="low", children=1)
    run = compliance.run_start(kind="manual", month=timezone.localdate())
    compliance.chunk_process(run_id=run.pk, team_id=cast.team_b.pk)  # team B's worker did its part
    # Hold team A's stored results locked, so its worker stops in the middle of the chunk.
    case_months_recompute(cases=Case.objects.filter(team=cast.team_a), month=run.month)
    lock = psycopg.connect(_database_url().replace("postgres://", "postgresql://"), autocommit=False)
    lock.execute("SELECT 1 FROM contacts_casemonth WHERE case_id = ANY(%s) FOR UPDATE", [[c.pk for c in team_a]])

    queue = "casework-test-worker-killed"
    with app.connection_for_write() as broker:
        broker.default_channel.queue_purge(queue)  # nothing left from an earlier, interrupted run
    log = tmp_path / "workers.log"
    first = _worker(queue, log)
    second = None
    app.conf.task_always_eager = False  # the autouse fixture restores it
    try:
        RunChunk.objects.filter(run=run).update(sends=1)
        tasks.compliance_chunk.apply_async((run.pk, cast.team_a.pk), queue=queue)
        _wait(_a_backend_waits_for_a_lock, 30, "the worker to block")
        blocked_at = time.monotonic()
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
        lock.commit()  # the killed worker's transaction is rolled back by PostgreSQL
        chunk = RunChunk.objects.get(run=run, team=cast.team_a)
        assert chunk.started_at and not chunk.finished_at
        # A second worker started once the message is older than the visibility timeout
        # restores it when it starts polling, and runs the chunk.
        time.sleep(max(0.0, blocked_at + VISIBILITY_TIMEOUT + 0.5 - time.monotonic()))
        second = _worker(queue, log)
        _wait(lambda: ComplianceRun.objects.get(pk=run.pk).finished_at, 30, "the run to finish")
    finally:
        lock.close()
        for worker in (first, second):
            if worker and worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(20)
    run.refresh_from_db()
    chunk.refresh_from_db()
    assert (run.done_chunks, run.cases_processed, run.errors, run.failed_at) == (2, 3, [], None), log.read_text()
    assert chunk.sends == 1 and chunk.finished_at  # delivered again by the broker, not sent again by the watchdog

"""A real Celery worker (threaded, in this process) consumes the nightly task and its
chunks from the broker — Redis in CI (REDIS_URL), the in-memory transport otherwise —
and the stored results appear in the database."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from casework.celery import app
from contacts.models import CaseMonth, ComplianceRun
from contacts.tasks import nightly_compliance
from tests.conftest import make_family_case


@pytest.mark.django_db(transaction=True)
def test_nightly_run_through_the_broker_stores_results(cast, settings):
    cases = [make_family_case(cast.worker, risk="low", children=1),
             make_family_case(cast.other_team_worker, risk="high", children=2)]
    app.conf.task_always_eager = False  # the autouse fixture restores it
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        nightly_compliance.delay()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            run = ComplianceRun.objects.first()
            if run and run.finished_at:
                break
            time.sleep(0.2)
    run = ComplianceRun.objects.get()
    assert run.finished_at is not None, "the worker did not finish the run in time"
    assert (run.total_chunks, run.done_chunks, run.cases_processed, run.errors) == (2, 2, 2, [])
    month = timezone.localdate().replace(day=1)
    stored = {r.case_id: r for r in CaseMonth.objects.filter(month=month)}
    assert set(stored) == {c.pk for c in cases}
    assert stored[cases[1].pk].risk_level == "high" and stored[cases[1].pk].status == "short"

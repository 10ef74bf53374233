"""The load benchmark end to end at a tiny size: gunicorn on the test database (a file, which
gunicorn's worker opens too), locust signing in as the demo agency's staff, every page of the
three roles answering 200, and the JSON the command prints.

Needs locust (a dev dependency, installed by `make test`). The first run on a fresh
checkout also collects the static files (about a minute of CPU); later runs reuse them.
"""

import io
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from django.conf import global_settings
from django.core.management import call_command

from cases import demo

PAGES = ["my cases", "case page", "timeline", "month page", "alerts", "my visits",  # caseworker
         "team's cases", "approvals", "team dashboard",  # team leader
         "manager dashboard", "drill-down"]  # manager


def _locust():
    beside = Path(sys.executable).with_name("locust")
    return os.environ.get("LOCUST") or (str(beside) if beside.exists() else shutil.which("locust"))


@pytest.mark.django_db(transaction=True)
def test_load_benchmark_signs_in_and_every_page_answers(settings):
    assert _locust(), "locust is a dev dependency: pip install -e .[dev]"
    # gunicorn checks the demo passwords with the real hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    demo._password_hash.cache_clear()
    out = io.StringIO()
    try:
        call_command("loadtest", one_per_role=True, seconds=10, no_wait=True, capacity_seconds=4, workers=2,
                     stdout=out, stderr=io.StringIO())
    finally:
        demo._password_hash.cache_clear()
    result = json.loads(out.getvalue())

    assert result["errors"] == 0, result["failures"]
    assert result["server_errors"] == []
    assert result["users"] == 3
    for page in PAGES:  # each user starts with a look at every page of their role
        assert result["pages"].get(page, {}).get("requests", 0) > 0, (page, sorted(result["pages"]))
        assert result["pages"][page]["p95_ms"] is not None
    assert result["pages"]["sign in"]["requests"] == 3  # each signed in once: Django's Secure cookies came back
    capacity = result["capacity"]
    assert capacity["errors"] == 0, capacity["failures"]
    assert capacity["mix_requests_per_second"] > 0 and capacity["floor_requests_per_second"] > 0
    assert capacity["ratio"] == pytest.approx(capacity["mix_requests_per_second"] / capacity["floor_requests_per_second"],
                                              abs=0.01)
    assert set(result["targets_met"]) == {"p95_under_300_ms_on_every_page", "no_errors", "mix_at_least_half_of_floor"}

"""The agency simulation end to end: a short run with every fault, the same figures from the
same seed, and the beat running whatever casework/schedule.py holds.

The simulation moves its own controlled clock (time-machine) through fixed dates, so these
tests do not depend on the day or hour they run."""

import datetime as dt
import io
import json
import time
from unittest import mock

import pytest
from django.core.management import call_command

from simulation import faults
from simulation.clock import beat_entries, due_on
from simulation.runner import Options, simulate

# The tests reading the short run are marked too, so that pytest creates the test database
# even when only they are selected (the module fixture below writes to it).
pytestmark = pytest.mark.django_db

# Six weeks from go-live: three months close, every fault is injected once on a day of its
# own and recovered from, and the run takes under a minute of one core (the long run, in the
# README, is the command's job).
SHORT_RUN = Options(days=45, cases=25, seed=1, faults=faults.FAULTS)


@pytest.fixture(scope="module")
def short_run(django_db_setup, django_db_blocker):
    """One short run with every fault, shared by the tests that read its figures (the
    database is emptied as soon as they are taken)."""
    with django_db_blocker.unblock():
        # From empty tables with their id sequences restarted (the tests before may have used
        # ids, even rolled back on PostgreSQL): the same story whichever tests ran first.
        call_command("flush", interactive=False, verbosity=0)
        began = time.perf_counter()
        try:
            report = simulate(SHORT_RUN)
        finally:
            call_command("flush", interactive=False, verbosity=0)
    print(f"\nShort run ({SHORT_RUN.days} days, {SHORT_RUN.cases} cases, all faults): "
          f"{time.perf_counter() - began:.1f} s")
    return report


def after(report, *fault_names):
    """Violations counted after the named faults."""
    return {name: v for name, v in report["violations"].items() if set(v["after_fault"]) & set(fault_names)}


def test_a_short_run_with_faults_has_no_violation_but_those_of_faults_not_yet_recovered(short_run):
    others = tuple(set(faults.FAULTS) - set(faults.NOT_YET_RECOVERED)) + ("none",)
    assert after(short_run, *others) == {}


def test_a_short_run_with_faults_has_no_violation_at_all(short_run):
    assert short_run["violations"] == {}


def test_every_fault_was_injected_and_did_something(short_run):
    assert sorted({i["fault"] for i in short_run["faults"]}) == sorted(faults.FAULTS)
    effects = {e["fault"] for e in short_run["fault_effects"] if "no such run" not in e.get("outcome", "")}
    assert effects == set(faults.FAULTS)
    # The chunk that raised and the chunk whose connection dropped failed as tasks, expectedly.
    assert short_run["task_failures_from_faults"] == {"contacts.tasks.compliance_chunk": 2}


def test_the_story_is_an_agency_at_work(short_run):
    r = short_run
    assert r["days"] == SHORT_RUN.days and r["cases"] >= SHORT_RUN.cases
    assert r["contacts"] > 20 * r["cases"] // 3 and 0 < r["contacts_recorded_late"] < r["contacts"] // 5
    assert r["months_closed"] == 3 and r["case_months_closed"] >= 3 * 18
    assert r["runs"]["nightly"] == SHORT_RUN.days - 1  # the broker was down one night
    assert r["runs"]["manual"] == 1  # "recompute now" while two beats sent the nightly run
    assert r["alerts"]["shortfall"]["raised"] > 0 and r["alerts"]["shortfall"]["escalated"] > 0
    done = r["actions"]
    for kind in ("contact_visit", "contact_support", "contact_correct", "contact_addendum", "risk_reassess",
                 "alert_acknowledge", "request_decide", "case_close"):
        assert done.get(kind, 0) > 0, kind


def _figures(**options) -> dict:
    out = io.StringIO()
    arguments = [part for name, value in options.items() for part in (f"--{name}", str(value))]
    call_command("simulate_agency", "--use-current-database", "--json", *arguments, verbosity=0, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db(transaction=True)
def test_the_same_seed_tells_the_same_story_with_the_same_figures():
    first = _figures(days=30, cases=6, seed=7, faults="broker_down,two_nightly_runs,chunk_raises")
    call_command("flush", interactive=False, verbosity=0)
    second = _figures(days=30, cases=6, seed=7, faults="broker_down,two_nightly_runs,chunk_raises")
    assert first == second
    assert first["contacts"] > 0 and len(first["faults"]) == 3
    call_command("flush", interactive=False, verbosity=0)
    assert _figures(days=10, cases=6, seed=8)["actions"] != first["actions"]


@pytest.mark.django_db(transaction=True)
def test_a_task_that_fails_with_no_fault_injected_is_a_violation():
    with mock.patch("responses.services.due_dates_check", side_effect=ValueError("a product bug")):
        report = simulate(Options(days=2, cases=4, seed=3))
    violation = report["violations"]["no_unexpected_failure"]
    assert violation["count"] == 2 and violation["first"]["detail"] == "ValueError: a product bug"
    assert violation["first"]["subject"] == "responses.tasks.due_dates_check 2026-01-05"


@pytest.mark.django_db(transaction=True)
def test_the_command_refuses_a_database_that_holds_cases(cast):
    from django.core.management import CommandError

    from tests.conftest import make_family_case

    make_family_case(cast.worker)
    with pytest.raises(CommandError, match="already holds cases"):
        call_command("simulate_agency", "--use-current-database", "--days", "1", verbosity=0)


def test_the_beat_runs_every_entry_of_the_schedule_at_its_agency_time():
    entries = beat_entries()
    day = dt.date(2026, 3, 4)
    times = [(t.strftime("%H:%M"), e.task.rsplit(".", 1)[-1]) for t, e in due_on(entries, day)]
    assert ("02:00", "nightly_compliance") in times and ("02:30", "close_due_months") in times
    assert [t for t, _ in times] == sorted(t for t, _ in times)  # in the order of the day
    from casework.schedule import SCHEDULE

    assert {e.task for e in entries} == {task for task, _ in SCHEDULE.values()}


def test_an_entry_added_to_the_schedule_is_run_without_a_change_to_the_simulation():
    schedule = {"Watchdog": ("contacts.tasks.watchdog", {"minute": "*/15"}),
                "Mondays": ("contacts.tasks.weekly", {"minute": "0", "hour": "4", "day_of_week": "1"})}
    entries = beat_entries(schedule)
    monday, tuesday = dt.date(2026, 3, 2), dt.date(2026, 3, 3)
    assert len(due_on(entries, monday)) == 96 + 1 and len(due_on(entries, tuesday)) == 96


@pytest.mark.django_db(transaction=True)
def test_a_chunk_retried_after_a_transient_error_is_counted_once():
    from simulation.faults import Faults, Injection
    from simulation.runner import Simulation

    simulation = Simulation(Options(days=4, cases=6, seed=2))
    simulation.faults = Faults([Injection(dt.date(2026, 1, 6), "chunk_raises", "nightly", transient=True)])
    report = simulation.run()
    assert report["fault_effects"][0]["run"] == "Nightly recompute 2026-01"
    assert report["violations"] == {}

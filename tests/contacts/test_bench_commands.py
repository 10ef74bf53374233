"""The compliance benchmark commands recompute for real and print their figures as JSON
(the figures themselves are machine-dependent and not asserted)."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from contacts import rules
from contacts.models import CaseMonth, Contact, ContactParticipant
from tests.conftest import make_family_case


def _last_month():
    return rules.add_months(timezone.localdate().replace(day=1), -1)


def _visit(case, day):
    when = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    contact = Contact.objects.create(case=case, occurred_at=when, kind="face_to_face", maker_role="caseworker",
                                     made_by=case.caseworker, author=case.caseworker, recorded_at=when)
    ContactParticipant.objects.bulk_create([ContactParticipant(contact=contact, member=m) for m in case.children])


def test_bench_compliance_recomputes_every_case_and_splits_the_time_into_phases(cast):
    cases = [make_family_case(cast.worker) for _ in range(3)]
    for case in cases[:2]:
        _visit(case, _last_month() + dt.timedelta(days=4))
    out = io.StringIO()
    call_command("bench_compliance", "--cases", "3", "--repeat", "1", "--phases", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["cases"] == 3 and figures["contacts_read"] == 2 and figures["month"] == f"{_last_month():%Y-%m}"
    assert figures["sql_queries"] > 0 and figures["floor_seconds"] >= 0 and "ratio_to_floor" in figures
    phases = figures["phases_seconds"]
    assert set(phases) == {"read_facts", "of_which_sql_statements", "evaluate_and_encode", "store"}
    assert phases["read_facts"] + phases["evaluate_and_encode"] + phases["store"] == pytest.approx(
        figures["seconds"], abs=0.005)
    assert 0 <= phases["of_which_sql_statements"] <= phases["read_facts"]
    assert figures["cpu_seconds"]["python"] > 0 and "database_backend" in figures["cpu_seconds"]
    assert CaseMonth.objects.filter(month=_last_month(), case__in=cases).count() == 3


def test_bench_compliance_says_when_there_are_not_enough_cases(cast):
    make_family_case(cast.worker)
    with pytest.raises(CommandError, match="Only 1 cases were open"):
        call_command("bench_compliance", "--cases", "5", "--repeat", "1", stdout=io.StringIO())


def test_bench_dashboard_prepares_twelve_months_and_times_the_manager_pages(cast):
    make_family_case(cast.worker)
    out = io.StringIO()
    call_command("bench_dashboard", "--prepare", "--repeat", "1", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["case_months_stored"] == 12 == CaseMonth.objects.count()
    assert {"manager_dashboard", "drill_down_short_last_month", "csv_export_by_team"} <= set(figures)


def test_bench_compliance_times_the_nightly_run_after_a_fraction_of_the_cases_changed_and_leaves_no_trace(cast):
    from contacts.models import ComplianceRun, PendingRecompute

    cases = [make_family_case(cast.worker) for _ in range(3)] + [make_family_case(cast.other_team_worker)]
    out = io.StringIO()
    call_command("bench_compliance", "--cases", "4", "--repeat", "1", "--changed-fraction", "0.5", stdout=out)
    nightly = json.loads(out.getvalue())["nightly"]
    assert nightly["month"] == f"{timezone.localdate():%Y-%m}" and nightly["cases"] == 4
    assert nightly["nothing_changed"]["case_months_computed"] == 0
    assert nightly["changed"]["cases"] == 2 and nightly["changed"]["case_months_computed"] == 2
    assert nightly["changed"]["chunks"] == 1  # two teams, little to compute: one chunk
    assert nightly["floor_seconds"] >= 0 and "ratio_to_floor" in nightly and "ratio_to_floor_this_month" in nightly
    # Rolled back: no benchmark contact, waiting recompute, run or result of this month is left.
    assert not Contact.objects.filter(purpose="Benchmark visit").exists()
    assert not PendingRecompute.objects.exists() and not ComplianceRun.objects.exists()
    assert not CaseMonth.objects.filter(month=timezone.localdate().replace(day=1), case__in=cases).exists()


@pytest.mark.parametrize("arguments,message", [
    (["--processes", "0"], "--processes needs a number of at least 1 and a PostgreSQL database"),
    (["--changed-fraction", "1.5"], "--changed-fraction is a fraction of the cases, from 0 to 1"),
])
def test_bench_compliance_refuses_what_it_cannot_measure(cast, arguments, message):
    make_family_case(cast.worker)
    with pytest.raises(CommandError, match=message):
        call_command("bench_compliance", "--cases", "1", "--repeat", "1", *arguments, stdout=io.StringIO())

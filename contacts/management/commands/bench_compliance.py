"""Benchmark the compliance evaluation: recompute one month for N cases and compare with
a floor query that only reads the same contacts. Run it on `seed_demo --scale N` data."""

import json
import os
import time
from contextlib import ExitStack
from unittest import mock

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from cases.models import Case
from contacts import recompute, rules
from contacts.compliance import cases_open_in
from contacts.facts import local_month_bounds
from contacts.models import Contact
from contacts.recompute import case_months_recompute


class _Stopwatch:
    """Wraps a function and adds up the seconds spent in it, and of those, the seconds
    the query counter saw spent inside SQL statements."""

    def __init__(self, function, counter):
        self.function, self.counter = function, counter
        self.seconds = self.in_sql = 0.0

    def __call__(self, *args, **kwargs):
        began, in_sql = time.perf_counter(), self.counter.seconds
        try:
            return self.function(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - began
            self.in_sql += self.counter.seconds - in_sql


class _QueryCounter:
    """Counts SQL statements and the seconds spent executing them (the database's work
    plus the transfer of the rows, before Python turns them into objects)."""

    def __init__(self):
        self.count, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - began


def _database_cpu_seconds() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend, when the server runs
    on this machine (read from /proc); None otherwise. Parallel query workers are not
    included, so this is a lower bound of the database's work."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


FLOOR_SQL = """
SELECT c.case_id, COUNT(DISTINCT c.id), ARRAY_AGG(p.member_id)
FROM contacts_contact c LEFT JOIN contacts_contactparticipant p ON p.contact_id = c.id
WHERE c.case_id IN ({cases}) AND c.occurred_at >= %s AND c.occurred_at < %s
GROUP BY c.case_id
"""
FLOOR_SQL_SQLITE = FLOOR_SQL.replace("ARRAY_AGG(p.member_id)", "GROUP_CONCAT(p.member_id)")


class Command(BaseCommand):
    help = "Recompute one month for N cases and print JSON figures (seconds, queries, ratio to a floor query)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True)
        parser.add_argument("--month", help="YYYY-MM (default: last month)")
        parser.add_argument("--repeat", type=int, default=3, help="Runs of each; the best is reported")
        parser.add_argument("--phases", action="store_true",
                            help="Also print the best run's seconds reading the facts (and of those, inside SQL "
                                 "statements), evaluating and encoding, and storing the results, and the CPU "
                                 "seconds of this process and of its database backend")

    def handle(self, *args, cases, month=None, repeat=3, phases=False, **options):
        month = (timezone.datetime.strptime(month, "%Y-%m").date() if month
                 else rules.add_months(timezone.localdate().replace(day=1), -1))
        ids = list(cases_open_in(month).order_by("pk").values_list("pk", flat=True)[:cases])
        if len(ids) < cases:
            raise CommandError(f"Only {len(ids)} cases were open in {month:%Y-%m}; run seed_demo --scale {cases}.")
        selected = Case.objects.filter(pk__gte=ids[0], pk__lte=ids[-1]).filter(pk__in=cases_open_in(month))
        start, end = local_month_bounds(month)
        contacts = Contact.objects.filter(case__in=selected, occurred_at__gte=start, occurred_at__lt=end).count()

        best, queries, split, cpu = None, 0, {}, {}
        for _ in range(repeat):
            counter = _QueryCounter()
            read = _Stopwatch(recompute.load_month_facts, counter)
            store = _Stopwatch(recompute.store_results, counter)
            database_cpu = _database_cpu_seconds() if phases else None
            with connection.execute_wrapper(counter), ExitStack() as stack:
                if phases:
                    stack.enter_context(mock.patch.object(recompute, "load_month_facts", read))
                    stack.enter_context(mock.patch.object(recompute, "store_results", store))
                began, python_cpu = time.perf_counter(), time.process_time()
                case_months_recompute(cases=selected, month=month)
                seconds, python_cpu = time.perf_counter() - began, time.process_time() - python_cpu
            if database_cpu is not None:
                database_cpu = _database_cpu_seconds() - database_cpu
            if best is None or seconds < best:
                best, queries = seconds, counter.count
                split = {"read_facts": read.seconds, "of_which_sql_statements": read.in_sql,
                         "evaluate_and_encode": seconds - read.seconds - store.seconds, "store": store.seconds}
                cpu = {"python": python_cpu, "database_backend": database_cpu}

        subquery, params = selected.values("pk").query.sql_with_params()
        sql = (FLOOR_SQL if connection.vendor == "postgresql" else FLOOR_SQL_SQLITE).format(cases=subquery)
        floor = None
        for _ in range(repeat):
            with connection.cursor() as cursor:
                began = time.perf_counter()
                cursor.execute(sql, [*params, start, end])
                cursor.fetchall()
                seconds = time.perf_counter() - began
            floor = seconds if floor is None or seconds < floor else floor

        figures = {
            "database": connection.vendor, "month": month.strftime("%Y-%m"), "cases": len(ids),
            "contacts_read": contacts, "seconds": round(best, 3), "sql_queries": queries,
            "floor_seconds": round(floor, 3), "ratio_to_floor": round(best / floor, 2) if floor else None,
        }
        if phases:
            figures["phases_seconds"] = {name: round(value, 3) for name, value in split.items()}
            figures["cpu_seconds"] = {name: None if value is None else round(value, 2) for name, value in cpu.items()}
        self.stdout.write(json.dumps(figures))

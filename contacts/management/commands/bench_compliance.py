"""Benchmark the compliance evaluation: recompute one month for N cases and compare with
a floor query that only reads the same contacts. Run it on `seed_demo --scale N` data.

With ``--processes P`` the same recompute is also run split in P parts in P processes,
each with its own database connection (as P Celery workers would). With
``--changed-fraction F`` it then times the nightly run of this month after a fraction F
of the cases changed (a contact recorded, its recompute waiting); that part runs in one
transaction that is rolled back, so the database is left as it was."""

import datetime as dt
import json
import multiprocessing
import os
import time
from contextlib import ExitStack
from unittest import mock

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction
from django.utils import timezone

from cases.models import Case
from contacts import compliance, recompute, rules
from contacts.compliance import cases_open_in
from contacts.facts import local_month_bounds
from contacts.models import ComplianceRun, Contact, ContactKind, MakerRole, PendingRecompute, RunKind
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


def _floor_seconds(cases, month: dt.date, repeat: int) -> float:
    """The best of ``repeat`` runs of the floor query for ``cases`` and ``month``."""
    start, end = local_month_bounds(month)
    subquery, params = cases.values("pk").query.sql_with_params()
    sql = (FLOOR_SQL if connection.vendor == "postgresql" else FLOOR_SQL_SQLITE).format(cases=subquery)
    floor = None
    for _ in range(repeat):
        with connection.cursor() as cursor:
            began = time.perf_counter()
            cursor.execute(sql, [*params, start, end])
            cursor.fetchall()
            seconds = time.perf_counter() - began
        floor = seconds if floor is None or seconds < floor else floor
    return floor


def _recompute_part(part: tuple[str, int, int]) -> float:
    """In a worker process: recompute ``month`` for the open cases with ids in [first, last];
    the seconds it took."""
    month, first, last = dt.date.fromisoformat(part[0]), part[1], part[2]
    cases = Case.objects.filter(pk__gte=first, pk__lte=last).filter(pk__in=cases_open_in(month))
    began = time.perf_counter()
    case_months_recompute(cases=cases, month=month)
    seconds = time.perf_counter() - began
    connection.close()
    return seconds


def _in_processes(ids: list[int], month: dt.date, processes: int) -> dict:
    """The recompute of ``ids`` split in ``processes`` runs of consecutive ids, run at once
    in as many forked processes, each opening its own database connection."""
    size = -(-len(ids) // processes)
    parts = [(month.isoformat(), ids[at], ids[min(at + size, len(ids)) - 1]) for at in range(0, len(ids), size)]
    connections.close_all()  # a forked child must not share the parent's connection
    began = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(len(parts)) as pool:
        each = pool.map(_recompute_part, parts)
    return {"processes": len(parts), "seconds": round(time.perf_counter() - began, 3),
            "seconds_in_each": [round(seconds, 3) for seconds in each]}


class _RolledBack(Exception):
    pass


def _nightly(month: dt.date) -> tuple[float, int, int]:
    """A nightly run of ``month`` for the agency — its start, then its chunks one after the
    other in this process, as one worker would take them from the queue: the seconds, the
    chunks and the case-months computed."""
    ComplianceRun.objects.filter(kind=RunKind.NIGHTLY, run_on=timezone.localdate(), month=month).delete()
    began = time.perf_counter()
    run = compliance.run_start(kind=RunKind.NIGHTLY, month=month)
    for team_id in compliance.run_chunks(run):
        compliance.chunk_process(run_id=run.pk, team_id=team_id)
    seconds = time.perf_counter() - began
    run.refresh_from_db()
    return seconds, run.total_chunks, run.cases_processed


def _changes_record(case_ids: list[int], when: dt.datetime) -> None:
    """What recording a contact on each case leaves behind for the nightly run: the contact
    (a face-to-face visit by the caseworker) and its waiting recompute (PendingRecompute, as
    contacts.services.queue_recompute writes it when the queued task has not run yet)."""
    workers = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "caseworker_id"))
    Contact.objects.bulk_create([
        Contact(case_id=case_id, occurred_at=when, kind=ContactKind.FACE_TO_FACE, maker_role=MakerRole.CASEWORKER,
                made_by_id=workers[case_id], author_id=workers[case_id], recorded_at=when,
                purpose="Benchmark visit") for case_id in case_ids], batch_size=2000)
    PendingRecompute.objects.bulk_create([PendingRecompute(case_id=case_id, month=timezone.localdate(when).replace(day=1),
                                                           requested_at=when) for case_id in case_ids],
                                         batch_size=2000, update_conflicts=True, unique_fields=["case", "month"],
                                         update_fields=["requested_at"])


def _changed_fraction(ids: list[int], fraction: float, repeat: int) -> dict:
    """Figures of the nightly run of this month, after a full recompute of the open cases
    among ``ids``, with nothing changed and with ``fraction`` of them changed. The nightly
    run covers the whole agency: run it on an agency of ``--cases`` cases."""
    month = timezone.localdate().replace(day=1)
    cases = Case.objects.filter(pk__gte=ids[0], pk__lte=ids[-1]).filter(pk__in=cases_open_in(month))
    open_ids = list(cases.order_by("pk").values_list("pk", flat=True))
    step = max(1, round(1 / fraction)) if fraction > 0 else 0
    changed = open_ids[::step] if step else []
    figures = {"floor_seconds": round(_floor_seconds(cases, month, repeat), 3)}
    try:
        with transaction.atomic():
            began = time.perf_counter()
            case_months_recompute(cases=cases, month=month)
            figures["full_recompute_seconds"] = round(time.perf_counter() - began, 3)
            compliance.warnings_refresh(cases=cases, month=month)  # the alerts as a night before left them
            seconds, chunks, computed = _nightly(month)
            figures["nothing_changed"] = {"seconds": round(seconds, 3), "chunks": chunks,
                                          "case_months_computed": computed}
            _changes_record(changed, timezone.now() - dt.timedelta(hours=1))
            seconds, chunks, computed = _nightly(month)
            figures["changed"] = {"cases": len(changed), "seconds": round(seconds, 3), "chunks": chunks,
                                  "case_months_computed": computed}
            raise _RolledBack
    except _RolledBack:
        pass
    return {"month": month.strftime("%Y-%m"), "cases": len(open_ids), "changed_fraction": fraction, **figures}


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
        parser.add_argument("--processes", type=int,
                            help="Also run the recompute split in this many processes at once (PostgreSQL only)")
        parser.add_argument("--changed-fraction", type=float,
                            help="Also time the nightly run of this month after this fraction (0–1) of the cases "
                                 "changed (rolled back afterwards)")

    def handle(self, *args, cases, month=None, repeat=3, phases=False, processes=None, changed_fraction=None,
               **options):
        if processes is not None and (processes < 1 or connection.vendor != "postgresql"):
            raise CommandError("--processes needs a number of at least 1 and a PostgreSQL database "
                               "(each process opens its own connection).")
        if changed_fraction is not None and not 0 <= changed_fraction <= 1:
            raise CommandError("--changed-fraction is a fraction of the cases, from 0 to 1.")
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

        floor = _floor_seconds(selected, month, repeat)

        figures = {
            "database": connection.vendor, "month": month.strftime("%Y-%m"), "cases": len(ids),
            "contacts_read": contacts, "seconds": round(best, 3), "sql_queries": queries,
            "floor_seconds": round(floor, 3), "ratio_to_floor": round(best / floor, 2) if floor else None,
        }
        if phases:
            figures["phases_seconds"] = {name: round(value, 3) for name, value in split.items()}
            figures["cpu_seconds"] = {name: None if value is None else round(value, 2) for name, value in cpu.items()}
        if processes:
            split_run = _in_processes(ids, month, processes)
            figures["in_processes"] = split_run | {"ratio_to_one_process": round(split_run["seconds"] / best, 2)}
        if changed_fraction is not None:
            nightly = _changed_fraction(ids, changed_fraction, repeat)
            # Against the floor of the month benchmarked above (a whole month of contacts) and
            # of this month (its contacts so far), which the nightly run reads.
            nightly["ratio_to_floor"] = round(nightly["changed"]["seconds"] / floor, 2) if floor else None
            nightly["ratio_to_floor_this_month"] = (round(nightly["changed"]["seconds"] / nightly["floor_seconds"], 2)
                                                    if nightly["floor_seconds"] else None)
            figures["nightly"] = nightly
        self.stdout.write(json.dumps(figures))

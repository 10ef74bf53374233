"""Simulate an agency living in Casework, day by day, on a controlled clock."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from simulation import faults
from simulation.runner import DEFAULT_START, Options, simulate


@contextlib.contextmanager
def _quiet(verbosity: int):
    """Below verbosity 2, the product's routine log lines (every task, every caught-up
    recompute, every send refused while the broker is down) stay out of the output; what the
    report counts is in the report."""
    if verbosity >= 2:
        yield
        return
    levels = {name: logging.getLogger(name).level for name in ("celery", "kombu", "contacts", "casework", "simulation.clock")}
    logging.getLogger("celery").setLevel(logging.CRITICAL)
    logging.getLogger("kombu").setLevel(logging.CRITICAL)
    logging.getLogger("contacts").setLevel(logging.ERROR)
    logging.getLogger("casework").setLevel(logging.ERROR)
    logging.getLogger("simulation.clock").setLevel(logging.WARNING)
    try:
        yield
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


@contextlib.contextmanager
def _scratch_database(keep: bool):
    """A database of its own, created and migrated like the test runner's and dropped at
    the end, so a simulation never writes into the agency's records."""
    from django.test.utils import setup_databases, teardown_databases

    state = setup_databases(verbosity=0, interactive=False, aliases={"default"}, keepdb=keep, serialized_aliases=set())
    try:
        yield
    finally:
        teardown_databases(state, verbosity=0, keepdb=keep)


class Command(BaseCommand):
    help = ("Simulate an agency day by day on a controlled clock, through the real services and the scheduled "
            "tasks of casework/schedule.py, checking invariants every day.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=120, help="Days to simulate (default 120)")
        parser.add_argument("--cases", type=int, default=40, help="Open cases the agency carries (default 40)")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the story (default 1)")
        parser.add_argument("--start", default=DEFAULT_START.isoformat(),
                            help=f"First simulated day, YYYY-MM-DD (default {DEFAULT_START})")
        parser.add_argument("--faults", nargs="?", const="all", default=None,
                            help=f"Inject faults: all, or some of {', '.join(faults.FAULTS)} (comma-separated)")
        parser.add_argument("--broker", nargs="?", const="redis://127.0.0.1:6379/5", default=None,
                            help="Send tasks through this Redis broker to a Celery worker in this process "
                                 "(default redis://127.0.0.1:6379/5) instead of running them in-process")
        parser.add_argument("--json", action="store_true", help="Print the figures as JSON")
        parser.add_argument("--use-current-database", action="store_true",
                            help="Run in the configured database (it must hold no cases) instead of a scratch one")

    def handle(self, *args, **options):
        try:
            start = dt.date.fromisoformat(options["start"])
        except ValueError as error:
            raise CommandError("--start must be a date written YYYY-MM-DD.") from error
        if options["days"] < 1 or options["cases"] < 1:
            raise CommandError("--days and --cases must be at least 1.")
        try:
            chosen = faults.names(options["faults"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        run = Options(days=options["days"], cases=options["cases"], seed=options["seed"], start=start,
                      faults=tuple(chosen), broker_url=options["broker"])
        began = time.perf_counter()

        def progress(n, day):
            if options["verbosity"] >= 1 and (n % 10 == 0 or n == run.days):
                sys.stderr.write(f"day {n}/{run.days} ({day}), {time.perf_counter() - began:.0f} s\n")

        database = contextlib.nullcontext() if options["use_current_database"] else _scratch_database(keep=False)
        with database, _quiet(options["verbosity"]):
            if options["use_current_database"]:
                from cases.models import Case

                if Case.objects.exists():
                    raise CommandError("The database already holds cases; the simulation needs an empty one "
                                       "(leave out --use-current-database to use a scratch database).")
            report = simulate(run, progress=progress)
        seconds = time.perf_counter() - began
        if options["verbosity"] >= 1:
            sys.stderr.write(f"Simulated {run.days} days in {seconds:.0f} s "
                             f"({settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}).\n")
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2, sort_keys=True))
        else:
            self.stdout.write(_text(report))
        if report["violations"]:
            self.stderr.write(f"{sum(v['count'] for v in report['violations'].values())} violations.")


def _text(report: dict) -> str:
    lines = [
        f"{report['days']} days from {report['start']} (seed {report['seed']}, {report['mode']}): "
        f"{report['cases']} cases, {report['contacts']} contacts recorded ({report['contacts_recorded_late']} late), "
        f"{report['runs']['total']} runs, {report['months_closed']} months closed "
        f"({report['case_months_closed']} case-months, {report['case_months_amended']} amended).",
        "Alerts: " + ", ".join(f"{k} {v}" for k, v in report["alerts"].items() if not isinstance(v, dict))
        + "; shortfall: " + ", ".join(f"{k} {v}" for k, v in report["alerts"]["shortfall"].items()) + ".",
    ]
    if report["faults"]:
        lines.append("Faults: " + "; ".join(f"{f['day']} {f['fault']}" + (f" ({f['target']})" if f.get("target") else "")
                                            for f in report["faults"]) + ".")
    if not report["violations"]:
        lines.append("No violations.")
    for name, violation in report["violations"].items():
        first = violation["first"]
        after = ", ".join(f"{n} after {fault}" for fault, n in violation["after_fault"].items())
        lines.append(f"VIOLATION {name}: {violation['count']} ({after}); first {first['subject']} at {first['seen']}: "
                     f"{first['detail']}")
    return "\n".join(lines)

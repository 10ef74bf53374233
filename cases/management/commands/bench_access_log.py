"""Time what the access log adds to a page: the case page N times with recording on and off."""

import json
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from cases.access_log import record
from cases.models import Case, CaseLook, LookHow


def _timings(client, url, repeat) -> tuple[list[float], int]:
    client.get(url, secure=True)  # warm caches, so both are measured alike
    times, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.get(url, secure=True)
            times.append((time.perf_counter() - began) * 1000)
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")
        queries = len(captured)
    return times, queries


def _insert_times(case, repeat) -> list[float]:
    """The access log's own write, alone: one look inserted and committed (autocommit, as
    the middleware writes it after the response), ``repeat`` times; removed afterwards."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        record(looks={case.pk: set()}, user=case.caseworker, how=LookHow.PAGE, what="bench:insert")
        times.append((time.perf_counter() - began) * 1000)
    CaseLook.objects.filter(what="bench:insert").delete()
    return times


def _figures(times: list[float], queries: int) -> dict:
    times = sorted(times)
    return {"median_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 2), "queries": queries}


class Command(BaseCommand):
    help = "Print JSON timings of the case page with the access log recording and without."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=50)
        parser.add_argument("--reference", help="The case to open (default: the first open case)")

    def handle(self, *args, repeat=50, reference=None, **options):
        cases = Case.objects.filter(closed_on__isnull=True).select_related("caseworker")
        case = cases.filter(reference=reference).first() if reference else cases.order_by("pk").first()
        if case is None:
            raise CommandError("No such open case: run seed_demo first, or name one with --reference.")
        client = Client(SERVER_NAME="localhost")
        client.force_login(case.caseworker)
        url = case.get_absolute_url()
        looks_before = CaseLook.objects.count()
        # Interleaved rounds, so a change in the machine's load touches both alike.
        times, queries = {"on": [], "off": []}, {}
        for _ in range(5):
            for state, enabled in (("on", True), ("off", False)):
                with override_settings(ACCESS_LOG_ENABLED=enabled):
                    round_times, queries[state] = _timings(client, url, max(1, repeat // 5))
                times[state] += round_times
        figures = {state: _figures(times[state], queries[state]) for state in times}
        figures["added_median_ms"] = round(figures["on"]["median_ms"] - figures["off"]["median_ms"], 2)
        # The page figures differ by the machine's noise as much as by the log on a busy machine:
        # the insert alone says what the log itself costs.
        insert = _figures(_insert_times(case, repeat), 1)
        figures["insert_alone"] = {"median_ms": insert["median_ms"], "p95_ms": insert["p95_ms"]}
        self.stdout.write(json.dumps({"case": case.reference, "repeat": repeat, "database": connection.vendor,
                                      "looks_written": CaseLook.objects.count() - looks_before, **figures}))

"""Time the case plan timeframe work on the current database (e.g. after ``seed_demo --scale 20000``):
the daily alert check (run twice: the second run shows the idempotent cost) and the team leader's
"Case plans due" page for the leader with the most cases. The alerts made are rolled back."""

import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from alerts.models import Alert
from caseplans import services
from cases.models import Case, Role, User


class Rollback(Exception):
    pass


def _timed(fn):
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = fn()
    return result, time.perf_counter() - start, len(queries)


class Command(BaseCommand):
    help = "Print seconds and queries of the case plan timeframe check and the team leader's plans-due page."

    def handle(self, *args, **options):
        self.stdout.write(f"{Case.objects.filter(closed_on__isnull=True).count()} open cases")
        try:
            with transaction.atomic():
                Alert.objects.filter(key__startswith="caseplan:").delete()  # so the first run raises them all
                for run in ("first", "second"):
                    created, seconds, queries = _timed(services.plan_timeframes_check)
                    self.stdout.write(f"plan_timeframes_check ({run} run): {seconds:.2f} s, {queries} queries, "
                                      f"{created} alerts raised")
                raise Rollback
        except Rollback:
            pass
        leader = (User.objects.filter(role=Role.TEAM_LEADER, is_active=True)
                  .annotate(cases=Count("led_teams__cases")).order_by("-cases").first())
        if leader is None:
            self.stdout.write("No team leader: the plans-due page was not timed.")
            return
        client = Client()
        client.force_login(leader)
        for run in ("first", "second"):
            response, seconds, queries = _timed(lambda: client.get("/plans/due/", HTTP_HOST="localhost"))
            self.stdout.write(f"/plans/due/ for {leader.username} ({leader.cases} cases, {run} request): "
                              f"{seconds:.2f} s, {queries} queries, {len(response.content) // 1024} KB, "
                              f"status {response.status_code}")

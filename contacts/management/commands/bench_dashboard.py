"""Time the manager's dashboard pages on the current data (e.g. `seed_demo --scale 20000`)."""

import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.utils import timezone

from cases.models import Role, User
from contacts import rules
from contacts.compliance import cases_open_in
from contacts.models import CaseMonth
from contacts.recompute import case_months_recompute


class Command(BaseCommand):
    help = "Print JSON timings of the manager dashboard and a drill-down page."

    def add_arguments(self, parser):
        parser.add_argument("--prepare", action="store_true", help="First compute the last 12 months' results")
        parser.add_argument("--repeat", type=int, default=5)

    def handle(self, *args, prepare=False, repeat=5, **options):
        manager = User.objects.filter(role=Role.MANAGER, managed_offices__isnull=False).first()
        if manager is None:
            raise CommandError("No manager with offices: run seed_demo first.")
        this_month = timezone.localdate().replace(day=1)
        if prepare:
            for back in range(11, -1, -1):
                month = rules.add_months(this_month, -back)
                case_months_recompute(cases=cases_open_in(month), month=month)
        client = Client(SERVER_NAME="localhost")
        client.force_login(manager)
        last = rules.add_months(this_month, -1)
        pages = {"manager_dashboard": "/contacts/dashboard/",
                 "drill_down_short_last_month": f"/contacts/dashboard/cases/?month={last:%Y-%m}&status=short",
                 "csv_export_by_team": "/contacts/dashboard/?export=team"}
        timings = {}
        for name, url in pages.items():
            best = None
            for _ in range(repeat):
                began = time.perf_counter()
                response = client.get(url, secure=True)
                elapsed = time.perf_counter() - began
                if response.status_code != 200:
                    raise CommandError(f"{url} answered {response.status_code}")
                best = elapsed if best is None or elapsed < best else best
            timings[name] = round(best * 1000, 1)
        self.stdout.write(json.dumps({"case_months_stored": CaseMonth.objects.count(),
                                      "milliseconds_best_of": repeat, **timings}))

"""Create the fictional demo agency. Safe to run again: it only tops up what is missing."""

import importlib
import importlib.util
import time

from django.core.management.base import BaseCommand, CommandError

from cases import demo
from cases.models import Case

DEMO_CASES = 150
# Apps that add their own demo records (contacts, plans, referrals…) define <app>/demo.py
# with seed(agency, cases, *, scale: bool).
APPS_WITH_DEMO_DATA = ["contacts", "caseplans", "services", "alerts", "responses", "care", "cases"]  # cases: attachments


class Command(BaseCommand):
    help = "Create a realistic, entirely fictional demo agency (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=None,
                            help="Make sure N cases exist, created with bulk inserts (for benchmarks), on an agency "
                                 "grown to carry them: about 20 cases per caseworker, teams of 6-10, "
                                 "offices of 5-8 teams.")

    def handle(self, *args, scale=None, **options):
        if scale is not None and scale < 1:
            raise CommandError("--scale must be a positive number of cases")
        started = time.monotonic()
        target = scale or DEMO_CASES
        # With --scale the agency first grows to the shape of a real one (demo.agency_shape).
        agency = demo.ensure_agency(scale)
        existing = Case.objects.filter(team__in=agency.teams).count()
        cases = demo.create_cases(agency, target - existing, seed=existing + 1, with_history=scale is None)
        for app in APPS_WITH_DEMO_DATA:
            if importlib.util.find_spec(f"{app}.demo"):
                importlib.import_module(f"{app}.demo").seed(agency, cases, scale=scale is not None)
        self.stdout.write(self.style.SUCCESS(
            f"Demo agency ready: {len(cases)} cases created, {max(existing, target)} in all "
            f"({time.monotonic() - started:.1f} s)."))

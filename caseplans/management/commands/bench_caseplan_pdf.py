"""Time the PDF of a 30-action plan (target: under 1.5 s). Builds a throw-away case and plan
inside a transaction that is rolled back, so the database is left as it was."""

import datetime as dt
import logging
import time

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from caseplans import services
from caseplans.pdf import render_plan_pdf
from cases.models import Case, CaseMember, MemberRole, Office, Person, Role, Team, User


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Print the seconds taken to render the PDF of a 30-action case plan (full and family copy)."

    def add_arguments(self, parser):
        parser.add_argument("--actions", type=int, default=30)
        parser.add_argument("--repeat", type=int, default=3)

    def handle(self, *args, actions, repeat, **options):
        logging.getLogger("weasyprint").setLevel(logging.WARNING)
        try:
            with transaction.atomic():
                plan = self._plan(actions)
                render_plan_pdf(plan)  # warm up: fonts and WeasyPrint's first import
                for family in (False, True):
                    times = []
                    for _ in range(repeat):
                        start = time.perf_counter()
                        render_plan_pdf(plan, family=family)
                        times.append(time.perf_counter() - start)
                    label = "family copy" if family else "full plan"
                    self.stdout.write(f"{actions}-action plan, {label}: best {min(times):.3f} s, "
                                      f"worst {max(times):.3f} s over {repeat} runs")
                raise Rollback
        except Rollback:
            pass

    def _plan(self, count):
        today = timezone.localdate()
        office = Office.objects.create(name="Bench office", code="BENCH")
        team = Team.objects.create(office=office, name="Bench team")
        worker = User.objects.create(username="bench_worker", first_name="Bench", last_name="Worker",
                                     role=Role.CASEWORKER, team=team)
        case = Case.objects.create(reference="BENCH-0001", team=team, caseworker=worker, opened_on=today,
                                   substantiated_on=today)
        child = CaseMember.objects.create(case=case, role=MemberRole.CHILD, joined_on=today,
                                          person=Person.objects.create(given_name="Bench", family_name="Child"))
        plan = services.plan_create(user=worker, case=case, review_date=today + dt.timedelta(days=180),
                                    visit_frequency="Fortnightly", objectives={child.pk: "remain_home"})
        services.concern_save(user=worker, plan=plan, text="Exposure to family violence", strengths="Protective "
                              "grandmother", needs="Safe housing")
        goal = services.goal_save(user=worker, plan=plan, text="The child lives safely at home")
        for number in range(count):
            services.action_add(user=worker, plan=plan, goal=goal,
                                what=f"Mother attends counselling session {number + 1} at the community centre",
                                responsible_name="Ms Jones", service="Counselling", location="Community centre",
                                due_on=today + dt.timedelta(days=7 + number), measure="Counsellor confirms attendance")
        return plan

"""Fictional case plans for the demo agency's new cases. Every word here is invented.

Most cases get a first plan endorsed and given to the family within the statutory 21 days
and reviewed since (older versions superseded, so the version history has something to
show); a few are late, stalled at review, awaiting endorsement, returned with comments, or
still a draft, so the case page, the team leader's "Case plans due" page and the alerts
have realistic work. Bulk inserts only; with ``scale`` (the benchmark agency) nothing is made.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from caseplans import rules
from caseplans.models import (
    CasePlan,
    ChildObjective,
    DecisionKind,
    GoalStatus,
    HowMade,
    PlanAction,
    PlanDecision,
    PlanGoal,
    ProtectiveConcern,
    ResponsibleKind,
)
from cases.models import CaseMember, ChildGoal, LegalStatus, MemberRole

# (concern, strengths, needs, goals, actions: (what, responsible kind, who, service, place, measure))
THEMES = [
    ("The children were present during arguments between the adults that became physical.",
     "Mum has kept the children at school every day and asked her sister for help.",
     "A safety plan everyone knows, and support for Mum to stay safe at home.",
     ["The children live at home without seeing or hearing violence.",
      "Mum has people she can call when she feels unsafe."],
     [("Mum meets the women's safety worker each week to write and practise a safety plan",
       ResponsibleKind.PARENT, "Mum", "Women's safety support", "Safe Harbour office", True,
       "The safety worker confirms each meeting and the written safety plan"),
      ("The caseworker shows the children's safety plan to their school and the grandmother",
       ResponsibleKind.CASEWORKER, "", "", "Kestrel Park State School", False,
       "The school and the grandmother each have a signed copy"),
      ("Dad starts the men's behaviour change program and attends every group session",
       ResponsibleKind.PARENT, "Dad", "Men's behaviour change program", "Northgate Vale community hall", False,
       "The program sends the attendance record each month")]),
    ("The baby was left without an adult for long periods while the parents were using alcohol.",
     "Both parents love the baby and went to every child health appointment.",
     "Help to stop drinking, and another adult who can care for the baby if needed.",
     ["The baby is always cared for by a sober adult.", "The parents finish alcohol counselling."],
     [("Dad phones the alcohol and drug service to book an intake appointment within two weeks",
       ResponsibleKind.PARENT, "Dad", "Alcohol and drug counselling", "Kookaburra Creek Recovery Service", False,
       "The service confirms the intake appointment"),
      ("Grandmother agrees to be the back-up carer and signs the family safety agreement",
       ResponsibleKind.FAMILY, "Grandmother", "", "Family home", False,
       "A signed safety agreement is on the file"),
      ("The child health nurse visits the baby at home every fortnight",
       ResponsibleKind.PROVIDER, "Ironbark Community Health", "Child health nurse", "Family home", False,
       "The nurse's visit notes show every fortnightly visit")]),
    ("The house has not had working power or enough food for the children for several weeks.",
     "The children are close to their mother and help each other with homework.",
     "Stable housing, and a budget the family can keep to.",
     ["The family lives in a safe home with power and food every day.",
      "The children go to school every school day."],
     [("Mum and the caseworker apply together for priority housing with the housing service",
       ResponsibleKind.PARENT, "Mum", "Housing support", "Silky Oak Housing Support", False,
       "The housing service confirms the application is lodged"),
      ("The caseworker arranges emergency relief vouchers for food and the power bill",
       ResponsibleKind.CASEWORKER, "", "", "", False, "The vouchers are handed to Mum and the power is back on"),
      ("The school wellbeing officer checks in with each child every Monday",
       ResponsibleKind.PROVIDER, "School wellbeing officer", "", "Kestrel Park State School", False,
       "The school's weekly attendance report shows every day attended")]),
]
HOW = [HowMade.FAMILY_LED, HowMade.CASE_PLANNING_MEETING, HowMade.HOME_VISIT, HowMade.FAMILY_CONFERENCE]
CULTURAL = ("The children keep going to the weekly playgroup at the local Aboriginal and Torres Strait Islander "
            "community centre, visit country with their aunty each school holidays, and the community's cultural "
            "worker is invited to every planning meeting.")
RETURN_COMMENT = "Please name who will drive Mum to the first appointment, and add a date for the school meeting."


@dataclass
class _Rows:
    plans: list = field(default_factory=list)  # CasePlan (previous set after insert, by index)
    previous: list = field(default_factory=list)  # index of the previous version or None
    children: list = field(default_factory=list)  # (plan index, row)


def _objective(member_id, goals, statuses) -> str:
    """The child's recorded case plan goal, else the first objective that fits their legal status."""
    if member_id in goals:
        return goals[member_id]
    fitting = sorted(rules.CONSISTENT_GOALS.get(statuses.get(member_id, ""), {"remain_home"}))
    return fitting[0]


def _version(rows, rng, case, number, previous, status, made_on, endorsed_on, leader, today, family):
    # A plan speaks only of the parents the case has: no "Dad" where only a mother is recorded.
    themes = THEMES if family["father"] else [t for t in THEMES if not any(a[2] == "Dad" for a in t[4])]
    theme = themes[case.pk % len(themes)]
    copy_on = None
    if status in (rules.COPY_PROVIDED, rules.UNDER_REVIEW, rules.SUPERSEDED):
        copy_on = min(endorsed_on + dt.timedelta(days=rng.randint(0, 4)), today)
    plan = CasePlan(
        case_id=case.pk, version=number, status=status, caseworker_id=case.caseworker_id,
        created_by_id=case.caseworker_id, how_made=rng.choice(HOW), made_on=made_on,
        participants="Mum, Grandmother, the caseworker" + (", the children" if number > 1 else ""),
        child_participated=number > 1, child_views="The children said they want to stay at home with Mum and "
                                                   "see Nan on weekends." if number > 1 else "",
        visit_frequency=rng.choice(["A home visit every fortnight", "A home visit every week and a phone call "
                                    "in between", "A home visit every month"]),
        cultural_support_plan=CULTURAL if family["indigenous"] else "",
        review_date=rules.add_months(endorsed_on or made_on, rng.choice([6, 9, 12])),
        right_of_review_told_on=copy_on, confidential_notes="Police hold a current protection order "
                                                           "(details on the file)." if case.pk % 3 == 0 else "",
        submitted_by_id=case.caseworker_id if status != rules.DRAFT else None,
        endorsed_by_id=leader.pk if endorsed_on else None, endorsed_on=endorsed_on,
        copy_provided_on=copy_on, copy_provided_how="Given to Mum and the children at a home visit" if copy_on else "",
    )
    plan.created_at = dt.datetime.combine(made_on, dt.time(9), tzinfo=timezone.get_current_timezone())
    index = len(rows.plans)
    rows.plans.append(plan)
    rows.previous.append(previous)
    for member_id in family["children"]:
        rows.children.append((index, ChildObjective(member_id=member_id,
                                                    objective=_objective(member_id, family["goals"],
                                                                         family["statuses"]))))
    concern, strengths, needs, goals, actions = theme
    rows.children.append((index, ProtectiveConcern(concern=concern, strengths=strengths, needs=needs)))
    for text in goals:
        rows.children.append((index, PlanGoal(text=text, status=GoalStatus.ACHIEVED if status == rules.SUPERSEDED
                                              and rng.random() < 0.3 else GoalStatus.OPEN)))
    start = endorsed_on or made_on
    for number_in_table, (what, kind, who, service, place, confidential, measure) in enumerate(actions):
        due = start + dt.timedelta(days=14 + 21 * number_in_table + rng.randint(0, 10))
        done = None
        if due < today and (status == rules.SUPERSEDED or rng.random() < 0.75):
            done = min(due - dt.timedelta(days=rng.randint(0, 5)), today)
        rows.children.append((index, PlanAction(
            what=what, responsible_kind=kind, responsible_name=who, service=service, location=place,
            location_confidential=confidential, due_on=due, measure=measure, completed_on=done,
            progress_note="Done, confirmed at the home visit." if done else "")))
    if endorsed_on:
        rows.children.append((index, PlanDecision(decision=DecisionKind.ENDORSED, decided_by_id=leader.pk,
                                                  comment="Clear and specific; thank you.")))
    if status == rules.RETURNED:
        rows.children.append((index, PlanDecision(decision=DecisionKind.RETURNED, decided_by_id=leader.pk,
                                                  comment=RETURN_COMMENT)))
    return index


def _case_plans(rows, rng, case, i, leader, today, family):
    """The version history of one case. ``i`` picks the situation (1 in 20 of each unusual one)."""
    substantiated = case.substantiated_on or case.opened_on
    situation = i % 20
    if situation == 8:  # first plan still a draft: overdue
        _version(rows, rng, case, 1, None, rules.DRAFT, today - dt.timedelta(days=3), None, leader, today, family)
        return
    late = situation == 6
    endorsed = substantiated + dt.timedelta(days=rng.randint(24, 40) if late else rng.randint(6, 18))
    if endorsed >= today:
        _version(rows, rng, case, 1, None, rules.SUBMITTED, today - dt.timedelta(days=1), None, leader, today,
                 family)
        return
    number, previous = 1, None
    while True:
        index = _version(rows, rng, case, number, previous, rules.COPY_PROVIDED, endorsed - dt.timedelta(days=3),
                         endorsed, leader, today, family)
        due = rules.review_due(review_date=rows.plans[index].review_date, endorsed_on=endorsed, months=12)
        if due >= today or situation == 5:  # situation 5: the review never happened (overdue)
            break
        rows.plans[index].status = rules.SUPERSEDED
        rows.plans[index].review_started_on = due - dt.timedelta(days=20)
        number, previous, endorsed = number + 1, index, due - dt.timedelta(days=rng.randint(0, 10))
    if situation in (7, 9):  # a review under way: the next version awaits endorsement, or was returned
        rows.plans[index].status = rules.UNDER_REVIEW
        rows.plans[index].review_started_on = today - dt.timedelta(days=10)
        _version(rows, rng, case, number + 1, index, rules.SUBMITTED if situation == 7 else rules.RETURNED,
                 today - dt.timedelta(days=8), None, leader, today, family)


def _families(cases) -> dict[int, dict]:
    """Per case: its current children, their recorded case plan goals and legal statuses, and
    whether a father is recorded (four queries)."""
    today = timezone.localdate()
    families = defaultdict(lambda: {"children": [], "goals": {}, "statuses": {}, "indigenous": False,
                                    "father": False})
    fathers = CaseMember.objects.filter(case__in=[c.pk for c in cases], role=MemberRole.PARENT,
                                        relationship="father", left_on__isnull=True)
    for case_id in fathers.values_list("case_id", flat=True):
        families[case_id]["father"] = True
    children = CaseMember.objects.filter(case__in=[c.pk for c in cases], role=MemberRole.CHILD, left_on__isnull=True)
    for member_id, case_id, indigenous in children.values_list("pk", "case_id", "person__indigenous_status"):
        families[case_id]["children"].append(member_id)
        families[case_id]["indigenous"] |= rules.needs_cultural_plan(indigenous or "")
    current = {"member__in": children, "effective_from__lte": today}
    for case_id, member_id, goal in ChildGoal.objects.filter(**current).order_by("effective_from").values_list(
            "member__case_id", "member_id", "goal"):
        families[case_id]["goals"][member_id] = goal
    for case_id, member_id, status in LegalStatus.objects.filter(**current).order_by("effective_from").values_list(
            "member__case_id", "member_id", "intervention_type"):
        families[case_id]["statuses"][member_id] = status
    return families


def seed(agency, cases, *, scale: bool) -> None:
    if scale or not cases:
        return
    rng = random.Random(5150 + len(cases))
    today = timezone.localdate()
    families = _families(cases)
    rows = _Rows()
    for i, case in enumerate(cases):
        _case_plans(rows, rng, case, i, agency.leaders[case.team_id], today, families[case.pk])
    with transaction.atomic():
        plans = CasePlan.objects.bulk_create(rows.plans, batch_size=1000)
        # auto_now_add overwrote created_at on insert: put back the day each version was started.
        for plan in plans:
            plan.created_at = dt.datetime.combine(plan.made_on, dt.time(9), tzinfo=timezone.get_current_timezone())
        for plan, previous in zip(plans, rows.previous, strict=True):
            plan.previous_id = plans[previous].pk if previous is not None else None
        CasePlan.objects.bulk_update(plans, ["previous", "created_at"], batch_size=1000)
        CasePlan.history.bulk_history_create(plans, default_date=timezone.now())
        by_model = defaultdict(list)
        for index, row in rows.children:
            row.plan_id = plans[index].pk
            by_model[type(row)].append(row)
        for model, model_rows in by_model.items():
            model.objects.bulk_create(model_rows, batch_size=2000)
        actions = by_model[PlanAction]
        goals = defaultdict(list)
        for goal in by_model[PlanGoal]:
            goals[goal.plan_id].append(goal)
        for number, action in enumerate(actions):  # link each action to one of its plan's goals
            plan_goals = goals[action.plan_id]
            action.goal_id = plan_goals[number % len(plan_goals)].pk
        PlanAction.objects.bulk_update(actions, ["goal"], batch_size=2000)
        decided = {plan.pk: plan.endorsed_on or today for plan in plans}
        decisions = by_model[PlanDecision]
        for decision in decisions:  # auto_now_add stamped today: use the day of the decision
            decision.decided_at = dt.datetime.combine(decided[decision.plan_id], dt.time(15),
                                                      tzinfo=timezone.get_current_timezone())
        PlanDecision.objects.bulk_update(decisions, ["decided_at"], batch_size=2000)

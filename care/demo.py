"""Fictional carer households for the demo agency, and placements, agreements and a carer visit
for some of the new demo children who are in care. Every name here is invented. Households are
created once (get_or_create); the rest only for the cases created in this run. With ``scale``
(the benchmark agency) nothing is added."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from alerts.models import AlertKind
from alerts.services import alert_raise
from care import services
from care.models import (
    ApprovalStatus,
    ByWhom,
    CarerHousehold,
    CulturalSupportActivity,
    CulturalSupportPlan,
    FamilyTimeArrangement,
    FamilyTimeProgression,
    FamilyTimeSession,
    FamilyTimeStage,
    HouseholdKind,
    HouseholdMember,
    HouseholdRole,
    Period,
    Placement,
    PlacementType,
    SessionOutcome,
    Supervision,
)
from care.rules import needs_cultural_plan
from caseplans.models import AlternatePlan, AlternateStatus, CasePlan, LegalPath, Prognosis, ReunificationPrognosis
from cases.models import CaseMember, CasePlanGoal, ChildGoal, LivingArrangement, LivingKind, MemberRole, Person

HOUSEHOLDS = [
    ("Banksia Street household", HouseholdKind.FOSTER, "Kestrel Park",
     [("Marnie", "Quill", HouseholdRole.PRIMARY_CARER), ("Tobias", "Quill", HouseholdRole.CARER)]),
    ("Ridgeback kinship household", HouseholdKind.KINSHIP, "Northgate Vale",
     [("Odette", "Farrow", HouseholdRole.PRIMARY_CARER)]),
    ("Lilly Pilly House", HouseholdKind.RESIDENTIAL, "Riverbend Heights",
     [("Sefa", "Morrow", HouseholdRole.RESIDENTIAL_WORKER), ("Ines", "Calder", HouseholdRole.RESIDENTIAL_WORKER)]),
    ("Wren Court household", HouseholdKind.FOSTER, "Lowmead Flats",
     [("Harlan", "Pike", HouseholdRole.PRIMARY_CARER), ("Juno", "Pike", HouseholdRole.CARER)]),
    ("Quandong Road household", HouseholdKind.OTHER, "Quarry Hill",
     [("Petra", "Vance", HouseholdRole.PRIMARY_CARER)]),
]
ITEMS = [("carer", "Take the child to and from school each day"),
         ("child_safety", "Arrange and pay for the child's dental appointment"),
         ("parents", "Attend family time on Saturday mornings"),
         ("carer", "Keep a diary of the child's sleep and share it at visits")]


def _households(agency) -> list[CarerHousehold]:
    rows = []
    long_ago = timezone.localdate() - dt.timedelta(days=3000)
    for n, (name, kind, suburb, people) in enumerate(HOUSEHOLDS):
        household, created = CarerHousehold.objects.get_or_create(name=name, defaults={
            "kind": kind, "suburb": suburb, "office": agency.offices[n % len(agency.offices)],
            "approval_status": ApprovalStatus.APPROVED, "approved_on": long_ago})
        if created:
            HouseholdMember.objects.bulk_create([HouseholdMember(household=household, given_name=given,
                                                                 family_name=family, role=role)
                                                 for given, family, role in people])
        rows.append(household)
    return rows


def _seed_placements(agency, cases, *, scale: bool = False) -> None:
    if scale:
        return
    households = _households(agency)
    today = timezone.localdate()
    arrangements = list(LivingArrangement.objects.filter(member__case__in=cases, kind=LivingKind.IN_CARE,
                                                         effective_to__isnull=True, member__case__closed_on__isnull=True,
                                                         placement_record__isnull=True)
                        .select_related("member__case__team", "member__case__caseworker").order_by("pk")[:6])
    moved = next((a for a in arrangements if a.effective_from < today - dt.timedelta(days=150)), None)
    placements = []
    for n, arrangement in enumerate(arrangements):
        case = arrangement.member.case
        leader = agency.leaders.get(case.team_id)
        if leader is None:
            continue
        # The child's current in-care arrangement becomes a placement with a household.
        placement = Placement.objects.create(
            living_arrangement=arrangement, household=households[n % len(households)],
            placement_type=PlacementType.LONG_TERM if n % 2 else PlacementType.SHORT_TERM,
            reason_for_change="Could not live safely at home", approved_by=leader, recorded_by=case.caseworker)
        if arrangement is moved:  # three placements in twelve months: two changes of carers since
            for start, reason in ((today - dt.timedelta(days=150), "The carers asked for the placement to end"),
                                  (today - dt.timedelta(days=40), "Moved nearer the child's school and siblings")):
                households_left = [h for h in households if h != placement.household]
                placement = services.placement_record(
                    user=case.caseworker, child=arrangement.member, household=households_left[len(placements) % 4],
                    placement_type=PlacementType.SHORT_TERM, start=start, reason_for_change=reason, approved_by=leader)
        placements.append(placement)
    for n, placement in enumerate(placements):
        case = placement.case
        services.agreement_save(user=case.caseworker, placement=placement,
                                items=[services.ItemInput(who, what) for who, what in ITEMS[: 2 + n % 3]],
                                supports_to_carer="Respite one weekend a month; a carer support worker on call",
                                review_on=today + dt.timedelta(days=60 + 10 * n))
    if placements:
        placement = placements[0]
        items = services.current_agreement(placement).items.all()
        yesterday = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=1), dt.time(10)))
        if placement.start <= yesterday.date():
            services.carer_visit_record(user=placement.case.caseworker, placement=placement, data=services.CarerVisitInput(
                occurred_at=yesterday, child_seen=False, carer_names="the carers", transport=True,
                support_given="Went through the school routine and the respite dates",
                issues_note="The carer's car is off the road; school runs are hard this fortnight",
                next_visit_on=today + dt.timedelta(days=27),
                checks={item.pk: ("concern" if i == 0 else "on_track",
                                  "Late to school twice while the car is off the road" if i == 0 else "")
                        for i, item in enumerate(items)}))


DEMO_ARRANGEMENTS = 6

CULTURAL_ACTIVITIES = [
    ("Time with an Elder of the child's community each month", "Aunty (cultural mentor), arranged by the carer"),
    ("NAIDOC Week events with the community", "Carer"),
    ("Learning the family's language through the local language centre", "Child Safety (caseworker)"),
]


def _children_in_care(cases, today):
    in_care = LivingArrangement.objects.on(today).filter(kind=LivingKind.IN_CARE, member__case__in=cases,
                                                         member__left_on__isnull=True)
    return list(CaseMember.objects.filter(pk__in=in_care.values("member_id"), role=MemberRole.CHILD)
                .select_related("case__caseworker", "person").order_by("case__reference", "pk"))


def _seed_family_time(agency, cases, *, scale: bool) -> None:
    if scale or not cases:
        return
    if FamilyTimeArrangement.objects.filter(case__in=cases).exists():
        return  # seeded already: run again, nothing is doubled
    today = timezone.localdate()
    children = _children_in_care(cases, today)
    if not children:
        return
    reunification = set(ChildGoal.objects.on(today).filter(member__in=children, goal=CasePlanGoal.REUNIFICATION)
                        .values_list("member_id", flat=True))
    with transaction.atomic():
        for index, child in enumerate(children[:DEMO_ARRANGEMENTS]):
            _family_time(agency, child, index, today, staged=child.pk in reunification or index < 3)
        _concurrent_plan(agency, children, today)
        _cultural_plan(children, today)


def _family_time(agency, child, index, today, *, staged: bool) -> None:
    case = child.case
    worker, leader = case.caseworker, agency.leaders[case.team_id]
    parents = list(CaseMember.objects.filter(case=case, role=MemberRole.PARENT, left_on__isnull=True))
    started = today - dt.timedelta(days=120)
    arrangement = FamilyTimeArrangement.objects.create(
        case=case, member=child, sessions=1, period=Period.FORTNIGHT, duration_minutes=90,
        location="Family contact room, Child Safety Service Centre", supervision=Supervision.SUPERVISED,
        supervisor="Family contact worker", transport="Carer drives the child there and back",
        started_on=started, created_by=worker,
        # The fourth arrangement's review has passed unseen: the daily check alerts it.
        review_on=today - dt.timedelta(days=5) if index == 3 else today + dt.timedelta(days=40))
    arrangement.participants.set(parents)
    if staged:
        stages = [
            (1, "Weekly supervised visits", started, started + dt.timedelta(days=60),
             {"sessions": 1, "period": Period.WEEK}),
            (2, "Weekly visits, partly supervised, in the park near the family home", started + dt.timedelta(days=61),
             today + dt.timedelta(days=30), {"supervision": Supervision.PARTLY, "duration_minutes": 120}),
            (3, "Unsupervised day visits at the family home, then an overnight stay", today + dt.timedelta(days=31),
             today + dt.timedelta(days=90), {"supervision": Supervision.UNSUPERVISED, "duration_minutes": 360}),
        ]
        reached = min(index % 3 + 1, 2)  # stage 1 or 2 current; 3 planned
        for number, changes, starts, review, sets in stages:
            status = "done" if number < reached else "current" if number == reached else "planned"
            stage = FamilyTimeStage.objects.create(arrangement=arrangement, number=number, changes=changes,
                                                   starts_on=starts, review_on=review, status=status, **sets)
            if number <= reached and number > 1:
                FamilyTimeProgression.objects.create(
                    arrangement=arrangement, stage=stage, requested_by=worker, status="approved",
                    rationale="Sessions have gone well: the parents arrive on time and the child is settled after.",
                    decided_by=leader, decided_at=timezone.now(), decision_comment="Agreed.")
            if number == reached:
                for name, value in sets.items():
                    setattr(arrangement, name, value)
                arrangement.save()
        if index == 1:  # a move awaiting the team leader
            FamilyTimeProgression.objects.create(
                arrangement=arrangement, stage=arrangement.stages.get(number=reached + 1), requested_by=worker,
                rationale="Six weeks of partly supervised visits with no concerns; the child asks to see home.")
    FamilyTimeSession.objects.create(arrangement=arrangement, on=today - dt.timedelta(days=14),
                                     outcome=SessionOutcome.HELD, recorded_by=worker,
                                     observations="Warm greeting; played a board game together; calm goodbye.")
    if index == 0:
        missed = FamilyTimeSession.objects.create(arrangement=arrangement, on=today - dt.timedelta(days=7),
                                                  outcome=SessionOutcome.MISSED, by_whom=ByWhom.PARENT,
                                                  recorded_by=worker, observations="Mother did not arrive; no call.")
        alert_raise(key=f"family-time-missed:{missed.pk}", kind=AlertKind.FAMILY_TIME_MISSED, case=case,
                    title=f"{case.reference}: family time missed on {missed.on.day} {missed.on:%b %Y} "
                          "(a parent or family member)",
                    link=arrangement.get_absolute_url(), recipients=[worker, leader], due_on=missed.on)


def _concurrent_plan(agency, children, today) -> None:
    """A review version of a case plan with a poor prognosis and an endorsed alternate plan."""
    for child in children:
        plan = (CasePlan.objects.filter(case=child.case, previous__isnull=False)
                .order_by("-version").first())
        if plan is None or ReunificationPrognosis.objects.filter(plan=plan, member=child).exists():
            continue
        worker, leader = child.case.caseworker, agency.leaders[child.case.team_id]
        prognosis = ReunificationPrognosis.objects.create(
            plan=plan, member=child, prognosis=Prognosis.POOR, recorded_by=worker,
            reasons="The parents have not engaged with the drug and alcohol service in nine months; the home is "
                    "still not safe and the goals are not progressing.")
        AlternatePlan.objects.create(
            prognosis=prognosis, with_whom="The child's maternal aunt and her partner (kinship carers)",
            legal_path=LegalPath.LTG_SUITABLE_PERSON, recorded_by=worker,
            people_searched="Maternal grandparents, two maternal aunts, the paternal uncle; family tree built with "
                            "the family at a family group meeting.",
            people_assessed="Maternal aunt: assessed as suitable (kinship carer assessment). Paternal uncle: "
                            "declined.",
            status=AlternateStatus.ENDORSED, decided_by=leader, decided_at=timezone.now(),
            decision_comment="Endorsed; work both plans at the same time.")
        return


def _cultural_plan(children, today) -> None:
    """A cultural support plan for an Aboriginal or Torres Strait Islander child in care: the first
    such child, or else the last child in care, recorded as Aboriginal for the demonstration."""
    if CulturalSupportPlan.objects.filter(member__in=children).exists():
        return
    child = next((c for c in children if needs_cultural_plan(c.person.indigenous_status)), children[-1])
    if not needs_cultural_plan(child.person.indigenous_status):
        Person.objects.filter(pk=child.person_id).update(indigenous_status="aboriginal")
    plan = CulturalSupportPlan.objects.create(case=child.case, member=child, community="Fictional community",
                                              review_on=today + dt.timedelta(days=90),
                                              created_by=child.case.caseworker)
    CulturalSupportActivity.objects.bulk_create([
        CulturalSupportActivity(plan=plan, activity=activity, responsible=responsible, how_often="Monthly")
        for activity, responsible in CULTURAL_ACTIVITIES])


@transaction.atomic
def seed(agency, cases, *, scale: bool = False) -> None:
    """Carer households and placements first; family time for the children then in care."""
    _seed_placements(agency, cases, scale=scale)
    _seed_family_time(agency, cases, scale=scale)

"""Fictional carer households for the demo agency, and placements, agreements and a carer visit
for some of the new demo children who are in care. Every name here is invented. Households are
created once (get_or_create); the rest only for the cases created in this run. With ``scale``
(the benchmark agency) nothing is added."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from care import services
from care.models import ApprovalStatus, CarerHousehold, HouseholdKind, HouseholdMember, HouseholdRole, Placement, PlacementType
from cases.models import LivingArrangement, LivingKind

# (name, kind, suburb, [(given name, family name, role)])
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


@transaction.atomic
def seed(agency, cases, *, scale: bool = False) -> None:
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

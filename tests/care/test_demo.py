"""The demo agency's children in care: fictional households, placements that are in-care living
arrangements, one child with three placements in twelve months, agreements and a carer visit."""

from django.utils import timezone

from care import demo, rules
from care.models import CarerHousehold, CarerVisit, Placement, PlacementAgreement
from cases import demo as case_demo
from cases.models import LivingArrangement, LivingKind


def test_demo_children_in_care_have_placements_agreements_and_a_carer_visit(db):
    agency = case_demo.ensure_agency()
    cases = case_demo.create_cases(agency, 40, seed=1, with_history=False)
    demo.seed(agency, cases, scale=False)
    assert CarerHousehold.objects.count() == len(demo.HOUSEHOLDS)
    placements = list(Placement.objects.select_related("living_arrangement"))
    assert len(placements) >= 4 and all(p.living_arrangement.kind == LivingKind.IN_CARE for p in placements)
    today = timezone.localdate()
    counts = [rules.placements_in_last_12_months(
        LivingArrangement.objects.filter(member=member, kind=LivingKind.IN_CARE)
        .values_list("effective_from", "effective_to"), today)
        for member in {p.living_arrangement.member for p in placements}]
    assert 3 in counts
    current = [p for p in placements if p.end is None]
    assert {a.placement_id for a in PlacementAgreement.objects.all()} == {p.pk for p in current}
    assert CarerVisit.objects.get().checks.filter(status="concern").exists()

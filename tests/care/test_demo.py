"""The demo agency's children in care: fictional households, placements that are in-care living
arrangements, one child with three placements in twelve months, agreements and a carer visit."""

from django.utils import timezone

from alerts.models import Alert
from care import demo, rules, selectors, services
from care.models import (
    CarerHousehold,
    CarerVisit,
    CulturalSupportPlan,
    FamilyTimeArrangement,
    FamilyTimeProgression,
    FamilyTimeSession,
    Placement,
    PlacementAgreement,
)
from caseplans import demo as plan_demo
from caseplans.models import AlternatePlan
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


def test_demo_children_in_care_have_family_time_concurrent_and_cultural_plans(db):
    agency = case_demo.ensure_agency()
    cases = case_demo.create_cases(agency, 40, seed=1, with_history=False)
    plan_demo.seed(agency, cases, scale=False)
    demo.seed(agency, cases, scale=False)

    arrangements = list(FamilyTimeArrangement.objects.all())
    assert len(arrangements) >= 3
    current = {a.stages.filter(status=rules.CURRENT).values_list("number", flat=True).first() for a in arrangements}
    assert {1, 2} <= current  # plans at different stages
    assert FamilyTimeProgression.objects.filter(status=rules.PENDING).exists()
    missed = FamilyTimeSession.objects.get(outcome=rules.MISSED)
    assert Alert.objects.get(key=services.missed_alert_key(missed)).title.startswith(missed.arrangement.case.reference)
    assert selectors.overdue_reviews(today=timezone.localdate())
    alternate = AlternatePlan.objects.get()
    assert alternate.prognosis.prognosis == "poor" and alternate.status == "endorsed"
    assert alternate.prognosis.plan.previous_id is not None
    cultural = CulturalSupportPlan.objects.get()
    assert rules.needs_cultural_plan(cultural.member.person.indigenous_status) and cultural.activities.count() == 3

    demo.seed(agency, cases, scale=False)  # again: nothing doubled
    assert FamilyTimeArrangement.objects.count() == len(arrangements)
    assert CulturalSupportPlan.objects.count() == 1 and AlternatePlan.objects.count() == 1


def test_demo_family_time_does_nothing_at_scale(db):
    demo.seed(None, [object()], scale=True)
    assert not FamilyTimeArrangement.objects.exists()

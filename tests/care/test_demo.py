"""The demo agency's children in care: family-time plans at different stages (one move awaiting
approval, an overdue review), a missed session with its alert, a review with a poor prognosis and
an endorsed alternate plan, and a cultural support plan; all valid under the database's rules."""

from django.utils import timezone

from alerts.models import Alert
from care import demo, rules, selectors, services
from care.models import CulturalSupportPlan, FamilyTimeArrangement, FamilyTimeProgression, FamilyTimeSession
from caseplans import demo as plan_demo
from caseplans.models import AlternatePlan
from cases import demo as case_demo


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

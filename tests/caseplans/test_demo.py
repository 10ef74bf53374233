"""The demo agency's case plans: valid versions through the database's own constraints,
a spread of situations for the pages to show, and nothing at benchmark scale."""

from collections import Counter

from django.utils import timezone

from caseplans import demo, rules, selectors
from caseplans.models import CasePlan, PlanAction, PlanDecision
from cases import demo as case_demo


def test_demo_plans_cover_every_situation_and_respect_the_lifecycle(db):
    agency = case_demo.ensure_agency()
    cases = case_demo.create_cases(agency, 40, seed=1, with_history=False)
    demo.seed(agency, cases, scale=False)

    plans = list(CasePlan.objects.select_related("case"))
    assert {p.case_id for p in plans} == {c.pk for c in cases}
    statuses = Counter(p.status for p in plans)
    assert {rules.COPY_PROVIDED, rules.SUPERSEDED, rules.DRAFT, rules.SUBMITTED, rules.RETURNED,
            rules.UNDER_REVIEW} <= set(statuses)
    for plan in plans:
        assert (plan.endorsed_on is not None) == (plan.status in rules.IN_FORCE | {rules.UNDER_REVIEW,
                                                                                     rules.SUPERSEDED})
        assert plan.endorsed_by_id is None or plan.endorsed_by_id != plan.created_by_id
        assert plan.version == 1 or plan.previous.version == plan.version - 1
        assert plan.actions.exists() and all(a.goal_id for a in plan.actions.all())
    assert PlanDecision.objects.filter(decision="returned").exclude(comment="").exists()
    assert not PlanAction.objects.filter(completed_on__gt=timezone.localdate()).exists()

    today = timezone.localdate()
    rows = selectors.timeframe_rows(today=today)
    first = Counter(f.status for row in rows for f in row.timeframes if f.key == "first")
    assert first[rules.MET] > first[rules.OVERDUE] > 0  # most first plans were on time, a few are not
    assert first[rules.MET_LATE] > 0
    assert any(f.key == "review" and f.status == rules.OVERDUE for row in rows for f in row.timeframes)


def test_demo_plans_do_nothing_at_scale_or_without_cases(db):
    agency = case_demo.ensure_agency()
    cases = case_demo.create_cases(agency, 3, seed=1, with_history=False)
    demo.seed(agency, cases, scale=True)
    demo.seed(agency, [], scale=False)
    assert not CasePlan.objects.exists()


def test_a_demo_plan_speaks_only_of_the_parents_the_case_has(db):
    from cases.models import CaseMember

    agency = case_demo.ensure_agency()
    cases = case_demo.create_cases(agency, 40, seed=1, with_history=False)
    demo.seed(agency, cases, scale=False)
    with_father = set(CaseMember.objects.filter(relationship="father").values_list("case_id", flat=True))
    without = [c for c in cases if c.pk not in with_father]
    assert without
    assert not PlanAction.objects.filter(plan__case__in=without, responsible_name="Dad").exists()
    assert not PlanAction.objects.filter(plan__case__in=without, what__startswith="Dad ").exists()


def test_no_endorsed_demo_plan_has_a_goal_that_does_not_fit_the_childs_legal_status(db):
    # Issue 13, item 10: a practice leader demonstrating with the demo sees no endorsed plan
    # warning that its permanency objective does not fit the child's legal status.
    agency = case_demo.ensure_agency()
    cases = case_demo.create_cases(agency, 60, seed=1, with_history=False)
    demo.seed(agency, cases, scale=False)
    today = timezone.localdate()
    endorsed = CasePlan.objects.filter(endorsed_on__isnull=False, status__in=rules.IN_FORCE).select_related("case")
    assert endorsed.count() > 20
    warnings = []
    for plan in endorsed:
        loaded = selectors.plan_detail(_manager(), plan.case.reference, plan.version)
        warnings += [(plan.case.reference, child["warning"]) for child in selectors.plan_children(loaded, today=today)
                     if child["warning"]]
    assert warnings == []


def _manager():
    from cases.models import User

    return User.objects.get(username="manager")

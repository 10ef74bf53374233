"""Two people editing the same draft: the second save is refused, nothing of the first is lost."""

import pytest

from caseplans import services as plan_services
from caseplans.models import CasePlan, PlanAction, PlanGoal, ProtectiveConcern
from cases.services import CaseworkError
from tests.caseplans.conftest import draft_plan


def test_second_save_of_the_same_draft_is_refused(cast, family):
    plan = draft_plan(family, cast.worker)
    opened_by_worker = CasePlan.objects.get(pk=plan.pk)
    opened_by_colleague = CasePlan.objects.get(pk=plan.pk)
    plan_services.plan_update(user=cast.worker, plan=opened_by_worker, lock_version=opened_by_worker.lock_version,
                              visit_frequency="Weekly")
    with pytest.raises(CaseworkError, match="saved this plan after you opened it"):
        plan_services.plan_update(user=cast.leader, plan=opened_by_colleague,
                                  lock_version=opened_by_colleague.lock_version, visit_frequency="Monthly")
    plan.refresh_from_db()
    assert plan.visit_frequency == "Weekly"


def test_stale_save_names_who_saved_first(cast, family):
    plan = draft_plan(family, cast.worker)
    stale = plan.lock_version
    plan_services.plan_update(user=cast.leader, plan=plan, lock_version=stale, participants="All")
    with pytest.raises(CaseworkError) as error:
        plan_services.plan_update(user=cast.worker, plan=CasePlan.objects.get(pk=plan.pk), lock_version=stale,
                                  participants="Some")
    assert cast.leader.get_full_name() in str(error.value)


def test_second_save_of_the_same_action_is_refused(cast, family):
    plan = draft_plan(family, cast.worker)
    action = plan.actions.first()
    stale = action.lock_version
    plan_services.action_update(user=cast.worker, action=PlanAction.objects.get(pk=action.pk), lock_version=stale,
                                what="Mother attends all six counselling sessions at Turning Point")
    with pytest.raises(CaseworkError, match="saved this action"):
        plan_services.action_update(user=cast.leader, action=PlanAction.objects.get(pk=action.pk),
                                    lock_version=stale, what="Mother attends two sessions")
    action.refresh_from_db()
    assert action.what == "Mother attends all six counselling sessions at Turning Point"


def test_second_save_of_the_same_concern_or_goal_is_refused(cast, family):
    plan = draft_plan(family, cast.worker)
    concern, goal = plan.concerns.get(), plan.goals.get()
    plan_services.concern_save(user=cast.worker, plan=plan, concern=ProtectiveConcern.objects.get(pk=concern.pk),
                               lock_version=concern.lock_version, text="Violence at home, seen by the children")
    with pytest.raises(CaseworkError, match="saved this concern"):
        plan_services.concern_save(user=cast.leader, plan=plan, concern=concern, lock_version=concern.lock_version,
                                   text="Something else")
    plan_services.goal_save(user=cast.worker, plan=plan, goal=PlanGoal.objects.get(pk=goal.pk),
                            lock_version=goal.lock_version, text="The children are safe at home every day")
    with pytest.raises(CaseworkError, match="saved this goal"):
        plan_services.goal_save(user=cast.leader, plan=plan, goal=goal, lock_version=goal.lock_version, text="Other")
    assert plan.concerns.get().concern == "Violence at home, seen by the children"
    assert plan.goals.get().text == "The children are safe at home every day"


def test_changing_a_goal_of_a_submitted_plan_names_the_plan_not_the_goal_status(cast, family):
    plan = draft_plan(family, cast.worker)
    goal = plan.goals.get()
    plan_services.plan_submit(user=cast.worker, plan=plan)
    with pytest.raises(CaseworkError, match="waiting for endorsement"):
        plan_services.goal_save(user=cast.worker, plan=plan, goal=goal, lock_version=goal.lock_version, text="New")


def test_stale_concern_form_keeps_the_typed_text(signed_in, cast, family):
    plan = draft_plan(family, cast.worker)
    concern = plan.concerns.get()
    plan_services.concern_save(user=cast.leader, plan=plan, concern=concern, lock_version=concern.lock_version,
                               text="The leader's wording")
    response = signed_in(cast.worker).post(f"/plans/cases/{family.reference}/v1/concerns/{concern.pk}/", {
        "text": "The worker's typed wording", "lock_version": 1})
    html = response.content.decode()
    assert response.status_code == 200 and "saved this concern after you opened it" in html
    assert "worker&#x27;s typed wording" in html
    assert plan.concerns.get().concern == "The leader's wording"

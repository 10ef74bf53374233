"""Two people editing the same draft: the second save is refused, nothing of the first is lost."""

import pytest

from caseplans import services as plan_services
from caseplans.models import CasePlan, PlanAction
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

"""The plan's lifecycle through the services: submit, return, endorse, copy, review, versions."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from caseplans import services as plan_services
from caseplans.models import CasePlan, PlanAction, PlanDecision
from cases.services import CaseworkError
from tests.caseplans.conftest import draft_plan, endorsed_plan

# What a service raises for someone who may not act: a domain error, 403 or 404.
REFUSED = (CaseworkError, PermissionDenied, Http404)


def test_caseworker_drafts_submits_leader_returns_then_endorses(cast, family):
    plan = draft_plan(family, cast.worker)
    plan_services.plan_submit(user=cast.worker, plan=plan)
    plan_services.plan_return(user=cast.leader, plan=plan, comment="Add a measure to action 2")
    assert plan.status == "returned"
    plan_services.plan_update(user=cast.worker, plan=plan, lock_version=plan.lock_version,
                              visit_frequency="Weekly home visit")
    plan_services.plan_submit(user=cast.worker, plan=plan)
    plan_services.plan_endorse(user=cast.leader, plan=plan)
    plan.refresh_from_db()
    assert plan.status == "endorsed" and plan.endorsed_by == cast.leader
    assert plan.endorsed_on == timezone.localdate()
    assert [d.decision for d in PlanDecision.objects.filter(plan=plan).order_by("pk")] == ["returned", "endorsed"]
    assert plan.history.count() >= 5


def test_returning_needs_a_comment(cast, family):
    plan = draft_plan(family, cast.worker)
    plan_services.plan_submit(user=cast.worker, plan=plan)
    with pytest.raises(CaseworkError, match="needs a comment"):
        plan_services.plan_return(user=cast.leader, plan=plan, comment="  ")
    plan.refresh_from_db()
    assert plan.status == "submitted"


def test_endorsed_plan_cannot_be_edited(cast, family):
    plan = endorsed_plan(family, cast.worker, cast.leader)
    with pytest.raises(CaseworkError, match="endorsed and cannot be changed"):
        plan_services.plan_update(user=cast.worker, plan=plan, lock_version=plan.lock_version,
                                  visit_frequency="Monthly")
    with pytest.raises(CaseworkError, match="endorsed and cannot be changed"):
        plan_services.action_add(user=cast.worker, plan=plan, what="Something new to be done soon")
    action = plan.actions.first()
    with pytest.raises(CaseworkError, match="endorsed and cannot be changed"):
        plan_services.action_update(user=cast.leader, action=action, lock_version=action.lock_version,
                                    what="Changed after endorsement by someone")
    plan.refresh_from_db()
    assert plan.visit_frequency == "Home visit every fortnight" and plan.actions.count() == 3


def test_submitted_plan_cannot_be_edited(cast, family):
    plan = draft_plan(family, cast.worker)
    plan_services.plan_submit(user=cast.worker, plan=plan)
    with pytest.raises(CaseworkError, match="waiting for endorsement"):
        plan_services.goal_save(user=cast.worker, plan=plan, text="Another goal")


def test_team_leader_cannot_endorse_a_plan_they_wrote(cast, family):
    plan = draft_plan(family, cast.leader)
    plan_services.plan_submit(user=cast.leader, plan=plan)
    with pytest.raises(CaseworkError, match="another team leader"):
        plan_services.plan_endorse(user=cast.leader, plan=plan)
    plan.refresh_from_db()
    assert plan.status == "submitted" and plan.endorsed_by is None


def test_leader_who_submitted_a_workers_plan_cannot_endorse_it(cast, family):
    plan = draft_plan(family, cast.worker)
    plan_services.plan_submit(user=cast.leader, plan=plan)
    with pytest.raises(CaseworkError, match="another team leader"):
        plan_services.plan_endorse(user=cast.leader, plan=plan)


def test_leader_who_changed_part_of_a_workers_plan_cannot_endorse_it(cast, family):
    plan = draft_plan(family, cast.worker)
    action = plan.actions.first()
    plan_services.action_update(user=cast.leader, action=action, lock_version=action.lock_version,
                                what="Mother attends every counselling session at Bluegum", goal=None)
    plan_services.plan_submit(user=cast.worker, plan=plan)
    with pytest.raises(CaseworkError, match="another team leader"):
        plan_services.plan_endorse(user=cast.leader, plan=plan)
    assert plan_services.plan_author_ids(plan) == {cast.worker.pk, cast.leader.pk}


def test_leader_who_returned_a_plan_can_endorse_it_once_fixed(cast, family):
    plan = draft_plan(family, cast.worker)
    plan_services.plan_submit(user=cast.worker, plan=plan)
    plan_services.plan_return(user=cast.leader, plan=plan, comment="Name the counsellor")
    plan_services.plan_update(user=cast.worker, plan=plan, lock_version=plan.lock_version,
                              participants="Mother, grandmother, caseworker")
    plan_services.plan_submit(user=cast.worker, plan=plan)
    assert plan_services.plan_author_ids(plan) == {cast.worker.pk}
    assert plan_services.plan_endorse(user=cast.leader, plan=plan).status == "endorsed"


@pytest.mark.parametrize("who", ["worker", "colleague", "other_team_leader", "manager", "support_officer"])
def test_only_a_team_leader_of_the_case_endorses_or_returns(cast, family, who):
    plan = draft_plan(family, cast.worker)
    plan_services.plan_submit(user=cast.worker, plan=plan)
    user = getattr(cast, who)
    with pytest.raises(REFUSED):
        plan_services.plan_endorse(user=user, plan=plan)
    with pytest.raises(REFUSED):
        plan_services.plan_return(user=user, plan=plan, comment="No")
    plan.refresh_from_db()
    assert plan.status == "submitted"


def test_submit_lists_what_is_missing(cast, family):
    plan = plan_services.plan_create(user=cast.worker, case=family)
    with pytest.raises(CaseworkError) as error:
        plan_services.plan_submit(user=cast.worker, plan=plan)
    message = str(error.value)
    for text in ("protective concern", "goal", "at least one action", "review date", "permanency objective"):
        assert text in message
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_cultural_support_plan_required_for_an_aboriginal_child(cast, family):
    child = family.children[0].person
    child.indigenous_status = "aboriginal"
    child.save()
    plan = draft_plan(family, cast.worker)
    with pytest.raises(CaseworkError, match="cultural support plan for Child0"):
        plan_services.plan_submit(user=cast.worker, plan=plan)
    plan_services.plan_update(user=cast.worker, plan=plan, lock_version=plan.lock_version,
                              cultural_support_plan="Monthly visits with Aunty; NAIDOC week with the community")
    plan_services.plan_submit(user=cast.worker, plan=plan)


def test_one_plan_is_started_per_case(cast, family):
    draft_plan(family, cast.worker)
    with pytest.raises(CaseworkError, match="already has a plan being written"):
        plan_services.plan_create(user=cast.worker, case=family)


def test_copy_provided_recorded_after_endorsement(cast, family):
    plan = draft_plan(family, cast.worker)
    plan_services.plan_submit(user=cast.worker, plan=plan)
    with pytest.raises(CaseworkError, match="only once the plan is endorsed"):
        plan_services.plan_copy_provided(user=cast.worker, plan=plan, provided_on=timezone.localdate(), how="Post")
    plan_services.plan_endorse(user=cast.leader, plan=plan)
    with pytest.raises(CaseworkError, match="future"):
        plan_services.plan_copy_provided(user=cast.worker, plan=plan,
                                         provided_on=timezone.localdate() + dt.timedelta(days=1), how="Post")
    plan_services.plan_copy_provided(user=cast.worker, plan=plan, provided_on=timezone.localdate(),
                                     how="Given to mother and child at home visit",
                                     right_of_review_told_on=timezone.localdate())
    assert plan.status == "copy_provided" and plan.right_of_review_told_on == timezone.localdate()


def test_review_starts_next_version_carrying_forward_open_goals_and_actions(cast, family):
    plan = endorsed_plan(family, cast.worker, cast.leader)
    done = plan.actions.order_by("pk").first()
    plan_services.action_complete(user=cast.worker, action=done, lock_version=done.lock_version,
                                  completed_on=timezone.localdate(), progress_note="Attended")
    new = plan_services.plan_review_start(user=cast.worker, plan=plan)
    plan.refresh_from_db()
    assert plan.status == "under_review" and new.version == 2 and new.status == "draft" and new.previous == plan
    assert new.actions.count() == 2
    assert {a.carried_from_id for a in new.actions.all()} == set(
        plan.actions.filter(completed_on__isnull=True).values_list("pk", flat=True))
    assert new.goals.get().carried_from == plan.goals.get()
    assert new.actions.first().goal == new.goals.get()
    assert new.concerns.count() == 1 and new.child_objectives.count() == 2
    assert new.review_date is None
    # The old version stays as it was, readable.
    assert plan.actions.count() == 3 and plan.actions.get(pk=done.pk).completed_on == timezone.localdate()

    plan_services.plan_update(user=cast.worker, plan=new, lock_version=new.lock_version,
                              review_date=timezone.localdate() + dt.timedelta(days=180))
    plan_services.plan_submit(user=cast.worker, plan=new)
    plan_services.plan_endorse(user=cast.leader, plan=new)
    plan.refresh_from_db()
    assert plan.status == "superseded" and new.status == "endorsed"
    assert list(CasePlan.objects.filter(case=family).order_by("version").values_list("status", flat=True)) == [
        "superseded", "endorsed"]
    latest = plan.history.first()
    assert (latest.status, latest.history_user) == ("superseded", cast.leader)


def test_draft_cannot_be_reviewed(cast, family):
    plan = draft_plan(family, cast.worker)
    with pytest.raises(CaseworkError):
        plan_services.plan_review_start(user=cast.worker, plan=plan)


def test_goal_progress_assessed_at_review(cast, family):
    plan = endorsed_plan(family, cast.worker, cast.leader)
    goal = plan.goals.get()
    with pytest.raises(CaseworkError, match="evidence"):
        plan_services.goal_review_record(user=cast.worker, goal=goal, progress="progressing", evidence=" ",
                                         recommendation="continue")
    review = plan_services.goal_review_record(user=cast.worker, goal=goal, progress="progressing",
                                              evidence="Attended 4 of 6 sessions", recommendation="continue")
    assert review.get_recommendation_display() == "Continue the goal"


def test_ticking_off_an_action_on_the_plan_in_force(cast, family):
    plan = endorsed_plan(family, cast.worker, cast.leader)
    action = plan.actions.first()
    plan_services.action_complete(user=cast.worker, action=action, lock_version=action.lock_version,
                                  completed_on=timezone.localdate(), progress_note="Counsellor confirmed")
    action.refresh_from_db()
    assert action.completed_on == timezone.localdate() and action.progress_note == "Counsellor confirmed"
    assert PlanAction.history.filter(id=action.pk).count() >= 2


def test_withdrawn_action_leaves_the_table_counts_and_carry_forward_but_is_kept(cast, family):
    plan = draft_plan(family, cast.worker)
    mistaken = plan.actions.order_by("pk").first()
    with pytest.raises(CaseworkError, match="Say why"):
        plan_services.action_withdraw(user=cast.worker, action=mistaken, lock_version=mistaken.lock_version,
                                      reason=" ")
    plan_services.action_withdraw(user=cast.worker, action=mistaken, lock_version=mistaken.lock_version,
                                  reason="Added by mistake")
    with pytest.raises(CaseworkError, match="withdrawn"):
        plan_services.action_complete(user=cast.worker, action=mistaken, lock_version=mistaken.lock_version,
                                      completed_on=None, progress_note="x")
    plan_services.plan_submit(user=cast.worker, plan=plan)
    plan_services.plan_endorse(user=cast.leader, plan=plan)
    with pytest.raises(CaseworkError, match="endorsed and cannot be changed"):
        plan_services.action_reinstate(user=cast.worker, action=mistaken, lock_version=mistaken.lock_version)
    from caseplans import selectors

    assert selectors.case_plan_row(family).progress == "0 of 2 actions complete"
    new = plan_services.plan_review_start(user=cast.worker, plan=plan)
    assert new.actions.count() == 2 and mistaken.pk not in {a.carried_from_id for a in new.actions.all()}
    assert PlanAction.objects.get(pk=mistaken.pk).withdrawn_reason == "Added by mistake"


def test_the_last_action_cannot_be_withdrawn_before_submitting(cast, family):
    plan = draft_plan(family, cast.worker, actions=1)
    only = plan.actions.get()
    plan_services.action_withdraw(user=cast.worker, action=only, lock_version=only.lock_version, reason="Wrong")
    with pytest.raises(CaseworkError, match="Add at least one action"):
        plan_services.plan_submit(user=cast.worker, plan=plan)
    only.refresh_from_db()
    plan_services.action_reinstate(user=cast.worker, action=only, lock_version=only.lock_version)
    assert plan_services.plan_submit(user=cast.worker, plan=plan).status == "submitted"


def _vague_plan(cast, family):
    """A complete plan with one action that is not SMART: "attend counselling", nobody, no date, no measure."""
    plan = draft_plan(family, cast.worker, actions=1)
    plan_services.action_add(user=cast.worker, plan=plan, goal=plan.goals.first(), what="attend counselling",
                             responsible_kind="", responsible_name="", service="", location="",
                             location_confidential=False, due_on=None, measure="")
    plan_services.plan_submit(user=cast.worker, plan=plan)
    return plan


def test_endorsing_over_smart_warnings_needs_a_reason_which_is_recorded(cast, family):
    plan = _vague_plan(cast, family)
    with pytest.raises(CaseworkError, match=r"not SMART.*attend counselling.*No one is named as responsible"):
        plan_services.plan_endorse(user=cast.leader, plan=plan, comment="")
    plan.refresh_from_db()
    assert plan.status == "submitted"
    plan_services.plan_endorse(user=cast.leader, plan=plan, comment="Counsellor to be confirmed at the next visit")
    decision = PlanDecision.objects.get(plan=plan, decision="endorsed")
    assert decision.comment == "Counsellor to be confirmed at the next visit"
    assert [what for what, _ in decision.smart_warnings] == ["attend counselling"]
    assert "No due date." in decision.smart_warnings[0][1]


def test_the_endorser_sees_every_open_warning_on_the_plan_and_the_endorse_page(cast, family, signed_in):
    plan = _vague_plan(cast, family)
    client = signed_in(cast.leader)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "No one is named as responsible." in page and "No measure of how completion will be known." in page
    endorse = client.get(f"{plan.get_absolute_url()}endorse/").content.decode()
    assert "attend counselling" in endorse and "No due date." in endorse
    assert "reason" in endorse.lower()
    refused = client.post(f"{plan.get_absolute_url()}endorse/", {"comment": ""})
    assert refused.status_code == 200 and "not SMART" in refused.content.decode()

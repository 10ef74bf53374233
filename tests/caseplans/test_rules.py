"""The pure rules of case plans, without a database."""

import datetime as dt

import pytest

from caseplans import rules
from caseplans.rules import ActionFacts

TODAY = dt.date(2024, 5, 15)


# --- Lifecycle ------------------------------------------------------------------------

@pytest.mark.parametrize("current,target", [
    ("draft", "submitted"), ("returned", "submitted"), ("submitted", "endorsed"), ("submitted", "returned"),
    ("endorsed", "copy_provided"), ("endorsed", "under_review"), ("copy_provided", "under_review"),
    ("under_review", "superseded"),
])
def test_allowed_transitions(current, target):
    assert rules.transition_problem(current, target) is None


@pytest.mark.parametrize("current,target", [
    ("draft", "endorsed"), ("draft", "returned"), ("returned", "endorsed"), ("superseded", "draft"),
    ("endorsed", "submitted"), ("copy_provided", "draft"), ("submitted", "copy_provided"),
])
def test_refused_transitions_explain_why(current, target):
    assert rules.transition_problem(current, target)


def test_endorsed_plan_refusal_points_to_a_review():
    assert "start a review" in rules.transition_problem("endorsed", "submitted")
    assert "start a review" in rules.edit_problem("copy_provided")


def test_only_draft_and_returned_plans_can_be_edited():
    assert rules.edit_problem("draft") is None and rules.edit_problem("returned") is None
    for status in ("submitted", "endorsed", "copy_provided", "under_review", "superseded"):
        assert rules.edit_problem(status)


def test_nobody_endorses_a_plan_they_wrote():
    assert "another team leader" in rules.endorse_problem(author_ids={7, 8}, user_id=7, is_team_leader_of_case=True)
    assert rules.endorse_problem(author_ids={7}, user_id=9, is_team_leader_of_case=True) is None


def test_only_team_leader_of_the_case_endorses():
    assert "team leader" in rules.endorse_problem(author_ids={7}, user_id=9, is_team_leader_of_case=False)


# --- SMART ----------------------------------------------------------------------------

GOOD = ActionFacts(what="Mother phones Turning Point on 9999 9999 to book an intake appointment",
                   responsible="Ms Jones", due_on=TODAY + dt.timedelta(days=14),
                   measure="Turning Point confirms the appointment")


def test_a_smart_action_has_no_warnings():
    assert rules.smart_warnings(GOOD, TODAY) == []


@pytest.mark.parametrize("change,expected", [
    ({"responsible": ""}, "No one is named as responsible."),
    ({"due_on": None}, "No due date."),
    ({"due_on": TODAY - dt.timedelta(days=1)}, "The due date has passed."),
    ({"measure": "  "}, "No measure of how completion will be known."),
    ({"what": "Mother will try to attend counselling sessions"}, "Vague wording (“try to”)"),
    ({"what": "Father attends parenting course as needed"}, "Vague wording (“as needed”)"),
    ({"what": "Counselling"}, "Too short to be specific"),
])
def test_smart_warnings(change, expected):
    warnings = rules.smart_warnings(ActionFacts(**{**GOOD.__dict__, **change}), TODAY)
    assert any(w.startswith(expected) for w in warnings), warnings


def test_completed_action_past_due_is_not_warned_as_overdue():
    done = ActionFacts(**{**GOOD.__dict__, "due_on": TODAY - dt.timedelta(days=3), "completed_on": TODAY})
    assert rules.smart_warnings(done, TODAY) == []
    assert not rules.is_overdue(done.due_on, done.completed_on, TODAY)
    assert rules.is_overdue(TODAY - dt.timedelta(days=1), None, TODAY)
    assert not rules.is_overdue(TODAY, None, TODAY)


def test_progress_summary():
    assert rules.progress_summary(12, 7, 2) == "7 of 12 actions complete, 2 overdue"
    assert rules.progress_summary(1, 0, 0) == "0 of 1 action complete"
    assert rules.progress_summary(12, 7, 2, 1) == "7 of 12 actions complete, 2 overdue, 1 due soon"
    assert rules.progress_summary(3, 1, 0, 2) == "1 of 3 actions complete, 2 due soon"


# --- Timeframes -----------------------------------------------------------------------

@pytest.mark.parametrize("start,months,expected", [
    (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),  # leap year February
    (dt.date(2023, 1, 31), 1, dt.date(2023, 2, 28)),
    (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),  # leap day, a year on
    (dt.date(2024, 8, 31), 6, dt.date(2025, 2, 28)),
    (dt.date(2023, 8, 31), 6, dt.date(2024, 2, 29)),
    (dt.date(2024, 12, 15), 1, dt.date(2025, 1, 15)),  # over the year end
    (dt.date(2024, 3, 31), 12, dt.date(2025, 3, 31)),
])
def test_add_months_clamps_to_month_end(start, months, expected):
    assert rules.add_months(start, months) == expected


@pytest.mark.parametrize("substantiated,expected", [
    (dt.date(2024, 2, 10), dt.date(2024, 3, 2)),  # across 29 Feb 2024
    (dt.date(2023, 2, 10), dt.date(2023, 3, 3)),
    (dt.date(2024, 12, 20), dt.date(2025, 1, 10)),
    (dt.date(2024, 1, 31), dt.date(2024, 2, 21)),
])
def test_first_plan_due_21_days_after_substantiation(substantiated, expected):
    assert rules.first_plan_due(substantiated, 21) == expected


def test_agency_can_change_first_plan_days():
    assert rules.first_plan_due(dt.date(2024, 2, 1), 30) == dt.date(2024, 3, 2)


def test_review_due_is_the_earlier_of_review_date_and_twelve_months():
    endorsed = dt.date(2024, 2, 29)
    assert rules.review_due(review_date=None, endorsed_on=endorsed, months=12) == dt.date(2025, 2, 28)
    assert rules.review_due(review_date=dt.date(2024, 8, 1), endorsed_on=endorsed, months=12) == dt.date(2024, 8, 1)
    assert rules.review_due(review_date=dt.date(2026, 1, 1), endorsed_on=endorsed, months=12) == dt.date(2025, 2, 28)
    assert rules.review_due(review_date=None, endorsed_on=dt.date(2024, 8, 31), months=6) == dt.date(2025, 2, 28)


@pytest.mark.parametrize("today,done,expected", [
    (dt.date(2024, 3, 2), None, rules.DUE_SOON),  # the due day itself
    (dt.date(2024, 3, 3), None, rules.OVERDUE),
    (dt.date(2024, 2, 24), None, rules.DUE_SOON),  # 7 days before
    (dt.date(2024, 2, 23), None, rules.ON_TRACK),
    (dt.date(2024, 3, 10), dt.date(2024, 3, 2), rules.MET),  # done on the due day
    (dt.date(2024, 3, 10), dt.date(2024, 3, 3), rules.MET_LATE),
])
def test_timeframe_status(today, done, expected):
    assert rules.timeframe_status(due_on=dt.date(2024, 3, 2), done_on=done, today=today, soon_days=7) == expected


def test_case_timeframes_first_plan_met_only_when_endorsed_and_copy_provided():
    base = dict(substantiated_on=dt.date(2024, 2, 10), first_endorsed_on=dt.date(2024, 2, 20), first_copy_on=None,
                in_force_endorsed_on=dt.date(2024, 2, 20), in_force_review_date=dt.date(2024, 8, 20),
                review_started=False)
    frames = rules.case_timeframes(rules.PlanFacts(**base), today=dt.date(2024, 3, 5), first_plan_days=21,
                                   review_months=12, soon_days=7)
    assert [(f.key, f.due_on, f.status) for f in frames] == [
        ("first", dt.date(2024, 3, 2), rules.OVERDUE), ("review", dt.date(2024, 8, 20), rules.ON_TRACK)]
    frames = rules.case_timeframes(rules.PlanFacts(**{**base, "first_copy_on": dt.date(2024, 2, 22)}),
                                   today=dt.date(2024, 3, 5), first_plan_days=21, review_months=12, soon_days=7)
    assert frames[0].status == rules.MET


def test_starting_a_review_does_not_meet_the_review_timeframe():
    facts = rules.PlanFacts(substantiated_on=None, first_endorsed_on=dt.date(2023, 3, 31), first_copy_on=None,
                            in_force_endorsed_on=dt.date(2023, 3, 31), in_force_review_date=None, review_started=True)
    (frame,) = rules.case_timeframes(facts, today=dt.date(2024, 4, 1), first_plan_days=21, review_months=12,
                                     soon_days=7)
    assert (frame.due_on, frame.status, frame.name) == (dt.date(2024, 3, 31), rules.OVERDUE, "Plan review (under way)")


def test_no_timeframes_without_substantiation_or_plan():
    facts = rules.PlanFacts(None, None, None, None, None, False)
    assert rules.case_timeframes(facts, today=TODAY, first_plan_days=21, review_months=12, soon_days=7) == []


# --- Objectives and legal status ------------------------------------------------------

def test_objective_consistent_with_legal_status():
    assert rules.objective_warning("remain_home", "ipa") is None
    assert rules.objective_warning("reunification", "short_term_custody") is None
    assert rules.objective_warning("permanency", "permanent_care") is None


def test_objective_inconsistent_with_legal_status_warns():
    warning = rules.objective_warning("remain_home", "ltg_chief_executive", objective_label="Remain at home",
                                      status_label="Long-term guardianship to the chief executive")
    assert "does not fit" in warning and "Remain at home" in warning
    assert "No legal status" in rules.objective_warning("remain_home", None)
    assert "No permanency objective" in rules.objective_warning("", "ipa")


def test_cultural_plan_needed_for_aboriginal_and_torres_strait_islander_children():
    assert rules.needs_cultural_plan("aboriginal") and rules.needs_cultural_plan("both")
    assert rules.needs_cultural_plan("torres_strait_islander")
    assert not rules.needs_cultural_plan("neither") and not rules.needs_cultural_plan("not_stated")

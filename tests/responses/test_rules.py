"""The pure rules: step due times and order, the next working day, review due dates."""

import datetime as dt

import pytest

from contacts.workdays import is_working_day
from responses import rules

WEEKS = {"low": 6, "moderate": 6, "high": 4}


def test_safety_assessment_of_a_new_concern_is_due_24_hours_after_receipt():
    received = dt.datetime(2025, 3, 7, 16, 30, tzinfo=dt.timezone.utc)
    due = rules.step_due_times(received, [4, 24, 72, 24, 240, 72])
    assert due["safety_assessment"] == dt.datetime(2025, 3, 8, 16, 30, tzinfo=dt.timezone.utc)
    assert due["view"] == received + dt.timedelta(hours=4)
    assert list(due) == list(rules.STEPS)


def test_due_hours_must_name_every_step():
    with pytest.raises(ValueError):
        rules.step_due_times(dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc), [24, 24])


def test_steps_follow_the_manual_order():
    assert rules.step_problem("assess", set(), "note") == "Tick “View the information” first."
    assert rules.step_problem("further_action", {"view"}, "note").startswith("Tick “Assess")
    assert rules.step_problem("view", set(), "") is None
    assert rules.step_problem("assess", {"view"}, "  ") == "Record what was done for this step."
    assert rules.step_problem("view", {"view"}, "") == "This step is already done."


def test_only_a_recorded_safety_assessment_ticks_its_step():
    assert "Record the safety assessment" in rules.step_problem("safety_assessment", {"view"}, "done")
    assert rules.step_problem("safety_assessment", {"view"}, "", via_assessment=True) is None


@pytest.mark.parametrize("developed_on, due_on", [
    (dt.date(2025, 3, 5), dt.date(2025, 3, 6)),     # Wednesday → Thursday
    (dt.date(2025, 3, 7), dt.date(2025, 3, 10)),    # Friday → Monday
    (dt.date(2025, 3, 8), dt.date(2025, 3, 10)),    # Saturday → Monday
    (dt.date(2024, 12, 24), dt.date(2024, 12, 27)),  # Christmas Day and Boxing Day are holidays
    (dt.date(2025, 4, 17), dt.date(2025, 4, 22)),   # Good Friday, the weekend and Easter Monday
])
def test_a_safety_plan_is_due_the_next_working_day(settings, developed_on, due_on):
    settings.AGENCY_HOLIDAYS_COUNTRY, settings.AGENCY_HOLIDAYS_SUBDIVISION = "AU", "QLD"
    assert rules.next_working_day(developed_on, is_working_day) == due_on


def test_high_risk_cases_are_supervised_more_often():
    opened = dt.date(2025, 1, 6)
    low = rules.reviews_due(opened_on=opened, last_supervision_on=None, last_formal_review_on=None,
                            risk_level="low", weeks_by_risk=WEEKS, formal_review_months=6)
    high = rules.reviews_due(opened_on=opened, last_supervision_on=dt.date(2025, 2, 3), last_formal_review_on=None,
                             risk_level="high", weeks_by_risk=WEEKS, formal_review_months=6)
    assert low.supervision_due_on == dt.date(2025, 2, 17)
    assert high.supervision_due_on == dt.date(2025, 3, 3)
    assert low.formal_review_due_on == dt.date(2025, 7, 6)


def test_unknown_risk_uses_the_strictest_interval():
    assert rules.supervision_weeks(None, WEEKS) == 4


def test_formal_review_six_months_after_the_last_one_at_month_end():
    assert rules.add_months(dt.date(2024, 8, 31), 6) == dt.date(2025, 2, 28)
    assert rules.add_months(dt.date(2024, 11, 30), 3) == dt.date(2025, 2, 28)


def test_due_status():
    today = dt.date(2025, 5, 10)
    assert rules.due_status(dt.date(2025, 5, 9), today, 7) == "overdue"
    assert rules.due_status(dt.date(2025, 5, 17), today, 7) == "due_soon"
    assert rules.due_status(dt.date(2025, 5, 18), today, 7) == "ok"


def test_the_first_formal_review_falls_six_months_after_the_initial_plan():
    common = dict(opened_on=dt.date(2025, 1, 10), last_supervision_on=None, risk_level="low",
                  weeks_by_risk={"low": 6, "moderate": 6, "high": 4}, formal_review_months=6)
    assert rules.reviews_due(**common, last_formal_review_on=None).formal_review_due_on == dt.date(2025, 7, 10)
    with_plan = rules.reviews_due(**common, last_formal_review_on=None, first_plan_on=dt.date(2025, 2, 28))
    assert with_plan.formal_review_due_on == dt.date(2025, 8, 28)
    after_review = rules.reviews_due(**common, last_formal_review_on=dt.date(2025, 8, 20),
                                     first_plan_on=dt.date(2025, 2, 28))
    assert after_review.formal_review_due_on == dt.date(2026, 2, 20)

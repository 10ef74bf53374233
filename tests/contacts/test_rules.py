"""The minimum-contact standard (contacts/rules.py), table-driven, without a database.

Family used unless a test says otherwise: case 1 open all year; child Ava (member 10,
person 110) living at home with her mother Kylie (member 20, person 120)."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contacts import rules
from contacts.rules import Adjustment, CaseMonthFacts, Contact, Person

MONTH = dt.date(2026, 3, 1)  # 31 days
AVA = Person(10, 110, "child", "Ava", dt.date(2025, 1, 1), legal_status="ipa", goal="remain_home",
             lives_with_person_id=120)
NOAH = Person(11, 111, "child", "Noah", dt.date(2025, 1, 1), legal_status="ipa", goal="remain_home",
              lives_with_person_id=120)
KYLIE = Person(20, 120, "parent", "Kylie", dt.date(2025, 1, 1))
JASON = Person(21, 121, "parent", "Jason", dt.date(2025, 1, 1))
CARER = Person(30, 130, "carer", "Carol", dt.date(2025, 1, 1))

_ids = iter(range(1000, 100000))


def contact(day=3, kind="face_to_face", maker="caseworker", who=(10, 20), location="parent_residence",
            at=120, provider=None):
    return Contact(next(_ids), MONTH.replace(day=day), kind, maker, frozenset(who), location,
                   at if location == "parent_residence" else None, provider)


def support(day=4, maker="caseworker"):
    return contact(day, kind="support", maker=maker, who=(), location="other")


def facts(contacts=(), people=(AVA, KYLIE), risk="moderate", opened=dt.date(2025, 1, 1), closed=None, **extra):
    return CaseMonthFacts(case_id=1, month=MONTH, opened_on=opened, closed_on=closed, risk_level=risk,
                          people=tuple(people), contacts=tuple(contacts), **extra)


def lines_by(evaluation):
    return {(line.code, line.member_id): line for line in evaluation.lines}


# --- Table 1: in-home ------------------------------------------------------------------

TABLE_1 = [
    # risk, F2F each, at residence, by caseworker, support
    ("low", 1, 1, 1, 1),
    ("moderate", 2, 1, 1, 2),
    ("high", 4, 2, 2, 4),
]


def in_home_contacts_exactly_meeting(f2f, at_residence, by_caseworker, supports):
    """f2f contacts with Ava and Kylie: the first ``at_residence`` at Kylie's home, the first
    ``by_caseworker`` by the caseworker, the rest by a support officer at the office."""
    made = []
    for i in range(f2f):
        made.append(contact(day=1 + i, maker="caseworker" if i < by_caseworker else "support_officer",
                            location="parent_residence" if i < at_residence else "office"))
    made += [support(day=10 + i) for i in range(supports)]
    return made


@pytest.mark.parametrize("risk,f2f,at_residence,by_caseworker,supports", TABLE_1)
def test_in_home_table_1_row_exactly_met(risk, f2f, at_residence, by_caseworker, supports):
    result = rules.evaluate(facts(in_home_contacts_exactly_meeting(f2f, at_residence, by_caseworker, supports),
                                  risk=risk))
    lines = lines_by(result)
    assert result.case_type == rules.IN_HOME and result.status == rules.MET
    for member in (10, 20):
        assert (lines[("f2f", member)].required, lines[("f2f", member)].achieved) == (f2f, f2f)
        assert lines[("f2f_at_residence", member)].required == at_residence
        assert lines[("f2f_at_residence", member)].achieved == at_residence
        assert lines[("f2f_by_caseworker", member)].required == by_caseworker
        assert lines[("f2f_by_caseworker", member)].achieved == by_caseworker
    assert (lines[("support", None)].required, lines[("support", None)].achieved) == (supports, supports)
    assert len(result.lines) == 7


@pytest.mark.parametrize("risk,f2f,at_residence,by_caseworker,supports", TABLE_1)
def test_in_home_table_1_row_one_short_of_each_line(risk, f2f, at_residence, by_caseworker, supports):
    exact = in_home_contacts_exactly_meeting(f2f, at_residence, by_caseworker, supports)
    # Drop the last face-to-face (never one of the first, which carry residence/caseworker) and one support.
    fewer = exact[: f2f - 1] + exact[f2f: f2f + supports - 1]
    lines = lines_by(rules.evaluate(facts(fewer, risk=risk)))
    assert lines[("f2f", 10)].status == "short by 1"
    assert lines[("support", None)].status == "short by 1"
    # The caseworker/residence lines are short only when the dropped visit was the one that met them.
    assert lines[("f2f_by_caseworker", 10)].met == (f2f > by_caseworker)
    assert lines[("f2f_at_residence", 20)].met == (f2f > at_residence)


def test_in_home_counts_each_child_and_each_parent_separately():
    people = (AVA, NOAH, KYLIE, JASON)
    visits = [contact(day=2, who=(10, 20)), contact(day=9, who=(10, 20)), support(), support(day=5)]
    lines = lines_by(rules.evaluate(facts(visits, people=people)))
    assert lines[("f2f", 10)].met and lines[("f2f", 20)].met
    assert lines[("f2f", 11)].achieved == 0 and lines[("f2f", 11)].short_by == 2
    assert lines[("f2f", 21)].achieved == 0
    # Jason's residence line needs a visit at *his* residence.
    visit_at_jason = contact(day=12, who=(21,), at=121)
    visit_at_kylie = contact(day=13, who=(21,), at=120)
    lines = lines_by(rules.evaluate(facts(visits + [visit_at_jason, visit_at_kylie], people=people)))
    assert lines[("f2f_at_residence", 21)].counted == (visit_at_jason.contact_id,)
    assert lines[("f2f", 21)].achieved == 2


def test_support_officer_visit_does_not_count_as_caseworker_visit():
    visit = contact(maker="support_officer")
    lines = lines_by(rules.evaluate(facts([visit], risk="low")))
    assert lines[("f2f", 10)].achieved == 1
    assert lines[("f2f_at_residence", 10)].achieved == 1
    assert lines[("f2f_by_caseworker", 10)].achieved == 0


def test_service_provider_visit_counts_only_while_the_provider_is_involved():
    visit = contact(day=20, maker="provider", provider=7)
    not_involved = rules.evaluate(facts([visit], risk="low"))
    assert lines_by(not_involved)[("f2f", 10)].achieved == 0
    assert dict(not_involved.not_counted)[visit.contact_id] == (
        "The service provider was not involved in implementing the case plan on that date.",)
    ended_before = rules.evaluate(facts([visit], risk="low", involved_providers=((7, dt.date(2026, 1, 1),
                                                                                    dt.date(2026, 3, 19)),)))
    assert lines_by(ended_before)[("f2f", 10)].achieved == 0
    involved = lines_by(rules.evaluate(facts([visit], risk="low",
                                             involved_providers=((7, dt.date(2026, 3, 20), None),))))
    assert involved[("f2f", 10)].achieved == 1
    assert involved[("f2f_by_caseworker", 10)].achieved == 0


@pytest.mark.parametrize("kind,location", [("other", "parent_residence"), ("note", "office")])
def test_phone_video_attempted_visits_and_notes_never_count_as_face_to_face(kind, location):
    call = contact(kind=kind, location=location)
    result = rules.evaluate(facts([call], risk="low"))
    assert all(line.achieved == 0 for line in result.lines)
    assert dict(result.not_counted)[call.contact_id]


def test_support_contact_with_a_parent_is_not_a_support_contact():
    with_parent = contact(kind="support", who=(20,), location="other")
    result = rules.evaluate(facts([with_parent], risk="low"))
    assert lines_by(result)[("support", None)].achieved == 0
    assert "someone other than" in dict(result.not_counted)[with_parent.contact_id][0]


def test_contacts_outside_the_month_are_ignored():
    outside = Contact(5, dt.date(2026, 4, 1), "face_to_face", "caseworker", frozenset({10, 20}),
                      "parent_residence", 120)
    result = rules.evaluate(facts([outside], risk="low"))
    assert all(line.achieved == 0 for line in result.lines) and result.not_counted == ()


# --- Table 2: reunification -------------------------------------------------------------

AVA_IN_CARE = Person(10, 110, "child", "Ava", dt.date(2025, 1, 1), legal_status="short_term_custody",
                     goal="reunification", in_care=True, lives_with_person_id=130)

TABLE_2 = [("low", 1, 1, 1), ("moderate", 2, 1, 2), ("high", 3, 1, 4)]


def reunification_contacts(parent_visits, child_visits, supports):
    made = [contact(day=1 + i, who=(20,), at=120) for i in range(parent_visits)]
    made += [contact(day=10 + i, who=(10, 30), location="child_living_environment") for i in range(child_visits)]
    return made + [support(day=20 + i) for i in range(supports)]


@pytest.mark.parametrize("risk,parent,child,supports", TABLE_2)
def test_reunification_table_2_row_exactly_met_and_one_short(risk, parent, child, supports):
    people = (AVA_IN_CARE, KYLIE, CARER)
    exact = rules.evaluate(facts(reunification_contacts(parent, child, supports), people=people, risk=risk))
    lines = lines_by(exact)
    assert exact.case_type == rules.REUNIFICATION and exact.status == rules.MET
    assert (lines[("f2f", 20)].required, lines[("f2f", 20)].achieved) == (parent, parent)
    assert (lines[("f2f", 10)].required, lines[("f2f", 10)].achieved) == (child, child)
    assert (lines[("support", None)].required, lines[("support", None)].achieved) == (supports, supports)
    assert lines[("caseworker_in_child_environment", 10)].required == 1
    assert lines[("caseworker_at_parent_residence", 20)].required == 1
    short = lines_by(rules.evaluate(facts(reunification_contacts(parent - 1, child, supports - 1), people=people,
                                          risk=risk)))
    assert short[("f2f", 20)].status == "short by 1"
    assert short[("support", None)].status == "short by 1"
    assert short[("f2f", 10)].met


def test_reunification_caseworker_must_see_child_in_living_environment_and_parent_at_home():
    people = (AVA_IN_CARE, KYLIE, CARER)
    at_office = [contact(day=2, who=(10, 20), location="office"), support(), support(day=6)]
    lines = lines_by(rules.evaluate(facts(at_office + [contact(day=3, who=(20,), location="office")], people=people)))
    assert lines[("f2f", 10)].met and lines[("f2f", 20)].met
    assert not lines[("caseworker_in_child_environment", 10)].met
    assert not lines[("caseworker_at_parent_residence", 20)].met
    by_support_officer = [contact(day=4, who=(10,), location="child_living_environment", maker="support_officer")]
    lines = lines_by(rules.evaluate(facts(at_office + by_support_officer, people=people)))
    assert lines[("caseworker_in_child_environment", 10)].achieved == 0


def test_reunification_applies_when_any_child_is_in_care_with_that_goal():
    people = (AVA_IN_CARE, NOAH, KYLIE, CARER)
    result = rules.evaluate(facts([], people=people, risk="high"))
    assert result.case_type == rules.REUNIFICATION
    assert lines_by(result)[("f2f", 11)].required == 1  # the sibling at home is still seen monthly
    assert lines_by(result)[("f2f", 20)].required == 3


# --- Other contact requirements ---------------------------------------------------------

LUCA_LONG_TERM = Person(12, 112, "child", "Luca", dt.date(2025, 1, 1), legal_status="ltg_chief_executive",
                        goal="long_term_care", in_care=True, lives_with_person_id=130)


def test_child_in_care_not_reunification_needs_one_visit_by_any_child_safety_staff_member():
    # Seed 000, 4.2: "The contact requirement for children in care, where the case plan goal is
    # not reunification, is for contact with the child by Child Safety, once a month."
    people = (LUCA_LONG_TERM, CARER)
    result = rules.evaluate(facts([], people=people, risk=None))
    assert result.case_type == rules.IN_CARE and result.assessable
    assert lines_by(result)[("f2f_child_in_care", 12)].status == "short by 1"
    assert "by Child Safety staff" in lines_by(result)[("f2f_child_in_care", 12)].description
    by_support_officer = contact(who=(12,), location="child_living_environment", maker="support_officer")
    assert rules.evaluate(facts([by_support_officer], people=people, risk=None)).status == rules.MET
    by_team_leader = contact(who=(12,), location="child_living_environment", maker="other_staff")
    assert rules.evaluate(facts([by_team_leader], people=people, risk=None)).status == rules.MET
    by_provider = contact(who=(12,), location="child_living_environment", maker="provider", provider=3)
    assert rules.evaluate(facts([by_provider], people=people, risk=None,
                                involved_providers=((3, dt.date(2020, 1, 1), None),))).status == rules.SHORT


def test_long_term_guardianship_to_suitable_person_is_due_every_twelve_months():
    mia = Person(13, 113, "child", "Mia", dt.date(2020, 1, 1), legal_status="ltg_suitable_person",
                 goal="permanency", in_care=True, lives_with_person_id=130, order_started_on=dt.date(2024, 6, 10))
    people = (mia, CARER)
    # Seed 000, 4.2: one visit with the child and the guardian in every 12 months. A month in
    # which it is not due has no requirement: it is not "met", and stays out of the rate.
    not_due = rules.evaluate(facts([], people=people, risk=None,
                                   last_guardian_contact={13: dt.date(2025, 4, 2)}))
    assert ("f2f_with_guardian", 13) not in lines_by(not_due) and not_due.status == rules.NO_REQUIREMENT
    assert any("next due 2 Apr 2026" in note for note in not_due.notes)
    due = rules.evaluate(facts([], people=people, risk=None, last_guardian_contact={13: dt.date(2025, 3, 31)}))
    line = lines_by(due)[("f2f_with_guardian", 13)]
    assert line.due_on == dt.date(2026, 3, 31) and line.status == "short by 1"
    # Only a visit with both the child and the guardian counts.
    child_only = contact(who=(13,), location="child_living_environment")
    together = contact(who=(13, 30), location="child_living_environment")
    assert rules.evaluate(facts([child_only], people=people, risk=None,
                                last_guardian_contact={13: dt.date(2025, 3, 1)})).status == rules.SHORT
    assert rules.evaluate(facts([together], people=people, risk=None,
                                last_guardian_contact={13: dt.date(2025, 3, 1)})).status == rules.MET
    # No contact yet: due twelve months after the order started.
    first = lines_by(rules.evaluate(facts([], people=people, risk=None)))[("f2f_with_guardian", 13)]
    assert first.due_on == dt.date(2025, 6, 10) and first.required == 1


# Seed 000, 4.2: "There are no contact requirements with a child who is subject to a Permanent
# care order and resides with their permanent guardian."
GUARDIAN = Person(31, 131, "carer", "Greta", dt.date(2025, 1, 1))


def test_permanent_care_order_living_with_the_permanent_guardian_has_no_contact_requirement():
    zoe = Person(14, 114, "child", "Zoe", dt.date(2025, 1, 1), legal_status="permanent_care", goal="permanency",
                 lives_with_person_id=131, with_permanent_guardian=True)
    result = rules.evaluate(facts([], people=(zoe, GUARDIAN), risk=None))
    assert result.case_type == rules.PERMANENT
    assert result.status == rules.NO_REQUIREMENT and result.lines == ()
    assert any("living with their permanent guardian — no contact requirement" in note for note in result.notes)


@pytest.mark.parametrize("in_care", [True, False], ids=["in care", "elsewhere"])
def test_permanent_care_order_not_living_with_the_permanent_guardian_is_seen_monthly_like_a_child_in_care(in_care):
    # Only "and resides with their permanent guardian" lifts the requirement; elsewhere the
    # child is seen as a child in care is: "by Child Safety, once a month".
    zoe = Person(14, 114, "child", "Zoe", dt.date(2025, 1, 1), legal_status="permanent_care", goal="permanency",
                 in_care=in_care, lives_with_person_id=130)
    result = rules.evaluate(facts([], people=(zoe, CARER), risk=None))
    assert result.case_type == rules.IN_CARE and result.assessable and result.status == rules.SHORT
    line = lines_by(result)[("f2f_child_in_care", 14)]
    assert line.required == 1 and "by Child Safety staff" in line.description
    assert any("not living with their permanent guardian — seen monthly" in note for note in result.notes)
    seen = contact(who=(14,), location="child_living_environment", maker="support_officer")
    assert rules.evaluate(facts([seen], people=(zoe, CARER), risk=None)).status == rules.MET


# --- Partial months, risk level, missing data ---------------------------------------------

def test_case_opening_mid_month_prorates_every_count():
    # Opens 17 March: 15 of 31 days. Moderate: F2F 2 → ceil(2×15/31) = 1; support 2 → 1.
    result = rules.evaluate(facts([], opened=dt.date(2026, 3, 17)))
    lines = lines_by(result)
    assert lines[("f2f", 10)].required == 1 and lines[("support", None)].required == 1
    high = lines_by(rules.evaluate(facts([], opened=dt.date(2026, 3, 17), risk="high")))
    assert high[("f2f", 10)].required == 2  # ceil(4×15/31) = ceil(1.94)
    assert high[("support", None)].required == 2


def test_case_closing_mid_month_prorates_and_a_person_leaving_prorates_their_own_lines():
    closes = lines_by(rules.evaluate(facts([], risk="high", closed=dt.date(2026, 3, 8))))  # 8 of 31 days
    assert closes[("f2f", 10)].required == 2  # ceil(4×8/31) = ceil(1.03)
    jason_leaves = Person(21, 121, "parent", "Jason", dt.date(2025, 1, 1), left_on=dt.date(2026, 3, 3))
    lines = lines_by(rules.evaluate(facts([], people=(AVA, KYLIE, jason_leaves), risk="high")))
    assert lines[("f2f", 21)].required == 1  # ceil(4×3/31)
    assert lines[("f2f", 20)].required == 4
    joined_late = Person(21, 121, "parent", "Jason", dt.date(2026, 4, 2))
    assert ("f2f", 21) not in lines_by(rules.evaluate(facts([], people=(AVA, KYLIE, joined_late))))


def test_prorating_formula():
    assert rules.prorate(1, 1, 31) == 1
    assert rules.prorate(4, 31, 31) == 4
    assert rules.prorate(2, 14, 28) == 1
    assert rules.prorate(2, 15, 28) == 2
    assert rules.prorate(3, 0, 30) == 0


def test_risk_level_is_the_latest_before_the_first_and_a_change_takes_effect_next_month():
    assessments = [(dt.date(2025, 12, 20), "low"), (dt.date(2026, 3, 15), "high")]
    assert rules.risk_level_for_month(assessments, dt.date(2026, 3, 1), dt.date(2025, 12, 1)) == "low"
    assert rules.risk_level_for_month(assessments, dt.date(2026, 4, 1), dt.date(2025, 12, 1)) == "high"
    assert rules.risk_level_for_month(assessments, dt.date(2026, 3, 1), dt.date(2025, 12, 1)) == "low"
    on_the_first = [(dt.date(2026, 3, 1), "moderate")]
    assert rules.risk_level_for_month(on_the_first, dt.date(2026, 3, 1), dt.date(2025, 1, 1)) == "moderate"


def test_in_the_opening_month_the_first_assessment_applies_even_if_completed_later_that_month():
    assessments = [(dt.date(2026, 3, 20), "high"), (dt.date(2026, 3, 28), "low")]
    assert rules.risk_level_for_month(assessments, dt.date(2026, 3, 1), dt.date(2026, 3, 10)) == "high"
    assert rules.risk_level_for_month([], dt.date(2026, 3, 1), dt.date(2026, 3, 10)) is None


def test_missing_risk_level_is_flagged_not_compliant():
    result = rules.evaluate(facts([contact()], risk=None))
    assert result.status == rules.NOT_ASSESSABLE
    assert result.not_assessable_reason.startswith("Risk level missing")
    assert result.lines == ()


def test_no_legal_status_is_flagged():
    unknown = Person(10, 110, "child", "Ava", dt.date(2025, 1, 1))
    result = rules.evaluate(facts([], people=(unknown, KYLIE)))
    assert result.status == rules.NOT_ASSESSABLE and "Legal status missing" in result.not_assessable_reason


# --- Overrides and increases ------------------------------------------------------------

def test_approved_override_replaces_the_standard_and_says_who_approved():
    override = Adjustment("override", {"f2f_child": 1, "f2f_parent": 1, "support": 0}, approved_by="Tess Leader")
    result = rules.evaluate(facts([contact(), ], risk="high", adjustments=(override,)))
    lines = lines_by(result)
    assert lines[("f2f", 10)].required == 1 and lines[("f2f", 10)].standard == 4
    assert lines[("support", None)].required == 0
    assert lines[("f2f_by_caseworker", 10)].required == 2  # not overridden: standard stands
    assert result.adjustment.approved_by == "Tess Leader"


def test_increase_raises_but_never_lowers_the_requirement():
    increase = Adjustment("increase", {"f2f_child": 4, "support": 1}, approved_by="Tess Leader")
    lines = lines_by(rules.evaluate(facts([], risk="moderate", adjustments=(increase,))))
    assert lines[("f2f", 10)].required == 4 and lines[("f2f", 10)].standard == 2
    assert lines[("support", None)].required == 2 and lines[("support", None)].standard is None
    assert lines[("f2f", 20)].required == 2


# --- Invariants (property-based) -----------------------------------------------------------

people_strategy = st.sampled_from([(AVA, KYLIE), (AVA, NOAH, KYLIE, JASON), (AVA_IN_CARE, KYLIE, CARER),
                                   (AVA_IN_CARE, NOAH, KYLIE, JASON, CARER), (LUCA_LONG_TERM, CARER)])
contact_strategy = st.builds(
    lambda day, kind, maker, who, location, at: Contact(
        next(_ids), MONTH.replace(day=day), kind, maker, frozenset(who), location, at, 7 if maker == "provider" else None),
    st.integers(1, 31), st.sampled_from(["face_to_face", "support", "other", "note"]),
    st.sampled_from(["caseworker", "support_officer", "other_staff", "provider"]),
    st.sets(st.sampled_from([10, 11, 12, 20, 21, 30]), max_size=4),
    st.sampled_from(["parent_residence", "child_living_environment", "office", "school", "other"]),
    st.sampled_from([120, 121, None]),
)


@settings(max_examples=150, deadline=None)
@given(people=people_strategy, risk=st.sampled_from(["low", "moderate", "high"]),
       contacts=st.lists(contact_strategy, max_size=12), extra=contact_strategy,
       opened_day=st.integers(1, 31))
def test_adding_a_contact_never_lowers_any_achieved_count(people, risk, contacts, extra, opened_day):
    base = facts(contacts, people=people, risk=risk, opened=MONTH.replace(day=opened_day),
                 involved_providers=((7, dt.date(2026, 3, 10), None),))
    before = lines_by(rules.evaluate(base))
    after = lines_by(rules.evaluate(facts(contacts + [extra], people=people, risk=risk,
                                          opened=MONTH.replace(day=opened_day),
                                          involved_providers=((7, dt.date(2026, 3, 10), None),))))
    assert before.keys() == after.keys()
    for key, line in before.items():
        assert after[key].achieved >= line.achieved
        assert after[key].required == line.required


@settings(max_examples=150, deadline=None)
@given(people=people_strategy, risk=st.sampled_from(["low", "moderate", "high", None]),
       contacts=st.lists(contact_strategy, max_size=12))
def test_a_line_is_met_iff_achieved_reaches_required_and_every_contact_is_accounted_for(people, risk, contacts):
    result = rules.evaluate(facts(contacts, people=people, risk=risk))
    for line in result.lines:
        assert line.met == (line.achieved >= line.required)
        assert line.achieved == len(line.counted)
    counted = {cid for line in result.lines for cid in line.counted}
    explained = {cid for cid, reasons in result.not_counted if reasons}
    assert counted | explained == {c.contact_id for c in contacts} or not result.assessable
    assert result.status == (rules.NOT_ASSESSABLE if not result.assessable else
                             rules.NO_REQUIREMENT if not result.lines else
                             rules.MET if all(line.met for line in result.lines) else rules.SHORT)


# --- Early warning ----------------------------------------------------------------------

@pytest.mark.parametrize("today,planned,expected", [
    (dt.date(2026, 3, 2), True, False),  # plenty of time, a visit planned
    (dt.date(2026, 3, 2), False, True),  # visits needed and none planned
    (dt.date(2026, 3, 27), True, True),  # 2 visits × 3 days > 5 days left
    (dt.date(2026, 3, 26), True, False),  # 2 visits × 3 days = 6 days left: fits
])
def test_a_case_is_at_risk_when_what_is_needed_cannot_fit_in_the_days_left(today, planned, expected):
    evaluation = rules.evaluate(facts([support(), support(day=2)], risk="moderate"))
    assert rules.still_needed_visits(evaluation) == 2
    assert rules.at_risk(evaluation, today, planned) is expected


def test_a_met_month_or_a_past_month_is_never_at_risk():
    met = rules.evaluate(facts(in_home_contacts_exactly_meeting(1, 1, 1, 1), risk="low"))
    assert not rules.at_risk(met, dt.date(2026, 3, 30), False)
    short = rules.evaluate(facts([], risk="low"))
    assert not rules.at_risk(short, dt.date(2026, 4, 2), False)


def test_a_line_says_why_a_contact_with_the_person_did_not_count_for_it():
    # A visit at Kylie's home counts for "face-to-face with Jason" but not for "Jason at the
    # parent's residence" (Jason does not live there): the line says so, in plain words.
    people = (AVA, KYLIE, JASON)
    visit = contact(who=(10, 20, 21), location="parent_residence", at=120, maker="support_officer")
    result = rules.evaluate(facts([visit], people=people))
    lines = lines_by(result)
    assert visit.contact_id in lines[("f2f", 21)].counted
    at_home = lines[("f2f_at_residence", 21)]
    assert visit.contact_id not in at_home.counted
    assert at_home.missed == ((visit.contact_id, "Not at Jason's residence."),)
    by_caseworker = lines[("f2f_by_caseworker", 21)]
    assert by_caseworker.missed == ((visit.contact_id, "Made by someone other than the caseworker."),)

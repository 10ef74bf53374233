"""A caseworker signs in, opens a case, adds a child's living arrangement and sees it listed."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from cases.models import LivingArrangement
from tests.browser.conftest import assert_accessible
from tests.conftest import make_family_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_caseworker_adds_a_living_arrangement_and_sees_it_listed(page, sign_in, cast):
    case = make_family_case(cast.worker)
    child = case.children[0]
    LivingArrangement.objects.filter(member=child).delete()
    sign_in(cast.worker)
    assert_accessible(page)

    page.get_by_role("link", name=case.reference).click()
    page.wait_for_url(f"**/cases/{case.reference}/")
    assert_accessible(page)

    page.get_by_role("link", name=f"Add living arrangement for {child.person.given_name}").click()
    page.get_by_label("Kind").select_option("in_care")
    page.get_by_label("Placement").fill("Bluegum Foster Care")
    page.get_by_label("Effective from").fill(str(case.opened_on))
    page.get_by_label("Effective to").fill(str(case.opened_on.replace(year=case.opened_on.year - 1)))
    page.get_by_role("button", name="Save").click()
    # The end date before the start is refused with a message next to the field, input kept.
    page.get_by_text("The end date cannot be before the start date.").wait_for()  # waits for the answer
    assert page.get_by_label("Placement").input_value() == "Bluegum Foster Care"
    assert_accessible(page)

    page.get_by_label("Effective to").fill("")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/cases/{case.reference}/")
    card = page.locator(f"#member-{child.pk}")
    assert "In care: Bluegum Foster Care" in card.locator(".living-arrangements").inner_text()
    assert LivingArrangement.objects.filter(member=child, placement="Bluegum Foster Care").count() == 1


def test_a_caseworker_adds_someone_already_known_from_another_case_on_a_phone(page, sign_in, cast):
    from cases.models import Person

    own = make_family_case(cast.worker)
    other = make_family_case(cast.colleague)
    grandmother = other.parents[0].person
    Person.objects.filter(pk=grandmother.pk).update(given_name="Maureen", family_name="Ashdown")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(cast.worker)
    assert_accessible(page)
    # On a phone the main navigation folds behind "Menu".
    navigation = page.get_by_role("navigation", name="Main")
    assert navigation.is_hidden()
    page.get_by_role("button", name="Menu").click()
    assert navigation.get_by_role("link", name="Cases").is_visible()
    assert page.get_by_role("button", name="Menu").get_attribute("aria-expanded") == "true"
    assert_accessible(page)

    page.goto(f"/cases/{own.reference}/")
    page.get_by_role("link", name="Add person").click()
    page.get_by_role("searchbox", name="Their name").fill("maureen ash")
    page.get_by_role("button", name="Find").click()
    assert other.reference in page.get_by_role("table").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Add Maureen Ashdown to this case").click()
    page.get_by_label("Role").select_option("carer")
    page.get_by_label("Relationship").fill("grandmother")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/cases/{own.reference}/")
    assert "Maureen Ashdown" in page.get_by_role("region", name="Parents, carers and others").inner_text()
    assert_accessible(page)
    assert set(Person.objects.get(pk=grandmother.pk).memberships.values_list("case_id", flat=True)) == {
        own.pk, other.pk}


def test_the_idle_warning_appears_before_sign_out_and_staying_signed_in_hides_it(page, sign_in, cast):
    # The page's timers (page.clock) and the server's session (time-machine, shared with the
    # live server's thread) move together: the page asks the server before it signs out.
    make_family_case(cast.worker)
    with time_machine.travel(timezone.now(), tick=True) as server_clock:
        def idle_for(minutes, seconds=0):
            server_clock.shift(dt.timedelta(minutes=minutes, seconds=seconds))
            page.clock.fast_forward(f"{minutes:02d}:{seconds:02d}")

        page.clock.install()
        sign_in(cast.worker)
        warning = page.get_by_role("alertdialog")
        assert warning.is_hidden()
        idle_for(28, 30)  # 30 idle minutes, warned 2 minutes before
        assert warning.is_visible()
        assert "signed out soon" in warning.inner_text()
        assert_accessible(page)
        page.get_by_role("button", name="Stay signed in").click()
        warning.wait_for(state="hidden")
        idle_for(20)  # the timers restarted: no warning 20 minutes later
        assert warning.is_hidden() and "/accounts/login/" not in page.url
        idle_for(11)  # idle past 30 minutes: the page leaves for the sign-in page
        page.wait_for_url("**/accounts/login/**")
        assert "signed out after 30 minutes without activity" in page.get_by_role("status").inner_text()


def test_a_tab_left_idle_does_not_sign_out_a_session_used_in_another_tab(page, sign_in, cast):
    # Only the idle tab's clock moves; the server has just seen activity (the other tab).
    make_family_case(cast.worker)
    page.clock.install()
    sign_in(cast.worker)
    with page.expect_response(lambda response: "/session/status/" in response.url) as asked:
        page.clock.fast_forward("31:00")
    assert asked.value.json()["remaining_seconds"] > 25 * 60
    page.wait_for_timeout(500)  # time for the page to act on the answer
    assert "/accounts/login/" not in page.url
    assert page.request.get("/cases/", max_redirects=0).status == 200


def test_typing_in_the_search_box_narrows_the_list_without_reloading(page, sign_in, cast):
    from playwright.sync_api import expect

    from cases.models import Person

    first, _second = make_family_case(cast.worker), make_family_case(cast.worker)
    Person.objects.filter(pk=first.children[0].person_id).update(given_name="Zephyr")
    sign_in(cast.worker)
    rows = page.locator("#case-rows tbody tr")
    expect(rows).to_have_count(2)
    page.evaluate("window.notReloaded = true")
    page.get_by_role("searchbox", name="Reference or name").fill("zeph")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(first.reference)
    assert page.evaluate("window.notReloaded") is True
    assert "q=zeph" in page.url  # the address keeps the search, for the back button and sharing
    assert_accessible(page)

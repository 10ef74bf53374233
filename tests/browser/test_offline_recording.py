"""Offline recording (issue 16), in a real browser: a caseworker opens a case's contact form,
loses the network, records the visit, reloads (the page opens from the service worker), sees
it waiting, gets the network back, and the visit is saved exactly once. Signing out leaves
nothing behind in the browser."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import Contact
from tests.browser.conftest import assert_accessible
from tests.conftest import make_family_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STORED = """async () => {
  const names = (await indexedDB.databases()).map(d => d.name);
  let items = 0;
  if (names.includes("casework-offline")) {
    items = await new Promise(resolve => {
      const open = indexedDB.open("casework-offline");
      open.onsuccess = () => {
        const db = open.result;
        if (!db.objectStoreNames.contains("outbox")) { db.close(); resolve(0); return; }
        const count = db.transaction("outbox").objectStore("outbox").count();
        count.onsuccess = () => { db.close(); resolve(count.result); };
      };
    });
  }
  return {databases: names.filter(n => n), caches: await caches.keys(), items: items,
          workers: (await navigator.serviceWorker.getRegistrations()).length};
}"""


def _bar(page):
    return page.locator("#offline-status [role=status]")


def _open_form_and_wait_until_kept(page, case):
    page.goto(f"/contacts/case/{case.reference}/new/")
    expect(page.locator("html")).to_have_attribute("data-offline-ready", "true")
    expect(_bar(page)).to_contain_text("Online")


def test_a_visit_recorded_offline_is_kept_shown_waiting_and_saved_once_when_the_network_returns(page, sign_in, cast):
    case = make_family_case(cast.worker)
    sign_in(cast.worker)
    _open_form_and_wait_until_kept(page, case)
    assert_accessible(page)

    page.context.set_offline(True)
    expect(_bar(page)).to_contain_text("Offline")
    page.get_by_label("Start time").fill(timezone.localtime().strftime("%H:%M"))
    page.get_by_label("Purpose (goal of the contact)").fill("Monthly home visit")
    page.get_by_label("Observations and facts").fill("Both children were home; no signal on the farm.")
    page.get_by_role("button", name="Save contact").click()
    expect(page.locator("#draft-status")).to_contain_text("Saved on this device")
    expect(_bar(page)).to_contain_text("1 waiting to be sent")

    page.reload()  # no network: the service worker's copy of the form
    expect(page.get_by_role("heading", name="Record a contact")).to_be_visible()
    expect(_bar(page)).to_contain_text("Offline")
    expect(_bar(page)).to_contain_text("1 waiting to be sent")
    assert_accessible(page)
    assert not Contact.objects.exists()

    page.context.set_offline(False)
    expect(_bar(page)).to_contain_text("nothing waiting to be sent", timeout=20000)
    expect(_bar(page)).to_contain_text(re.compile(r"last synced \d"))
    contact = Contact.objects.get()
    assert contact.case == case and contact.author == cast.worker and contact.idempotency_key is not None
    assert contact.observations == "Both children were home; no signal on the farm."
    assert contact.participants.count() == len(case.children)
    # Sent once: another sync (a reload, the timer) finds nothing left to send.
    page.reload()
    expect(_bar(page)).to_contain_text("nothing waiting to be sent")
    assert Contact.objects.count() == 1
    assert page.evaluate(STORED)["items"] == 0


def test_what_is_typed_offline_comes_back_into_the_form_after_a_reload(page, sign_in, cast):
    case = make_family_case(cast.worker)
    sign_in(cast.worker)
    _open_form_and_wait_until_kept(page, case)
    page.context.set_offline(True)
    page.get_by_label("Observations and facts").fill("Mother asked about the school bus.")
    expect(_bar(page)).to_contain_text("1 waiting to be sent")
    page.reload()
    expect(page.get_by_label("Observations and facts")).to_have_value("Mother asked about the school bus.")
    page.context.set_offline(False)
    expect(_bar(page)).to_contain_text("nothing waiting to be sent", timeout=20000)
    from contacts.models import ContactDraft

    assert ContactDraft.objects.get(case=case).data["observations"] == "Mother asked about the school bus."
    assert not Contact.objects.exists()


def test_signing_out_leaves_nothing_stored_in_the_browser(page, sign_in, cast):
    case = make_family_case(cast.worker)
    sign_in(cast.worker)
    _open_form_and_wait_until_kept(page, case)
    page.context.set_offline(True)
    page.get_by_label("Observations and facts").fill("Typed offline, never sent.")
    expect(_bar(page)).to_contain_text("1 waiting to be sent")
    before = page.evaluate(STORED)
    assert before["items"] == 1 and before["caches"] and before["workers"] == 1
    page.context.set_offline(False)
    page.once("dialog", lambda dialog: dialog.accept())  # "not sent yet: sign out anyway?"
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/**")
    after = page.evaluate(STORED)
    assert after == {"databases": [], "caches": [], "items": 0, "workers": 0}
    assert_accessible(page)

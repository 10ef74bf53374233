"""The installable web app (issue 16): its manifest, its service worker (vendored Workbox,
served by the app at the site's root), the status bar of signed-in pages, and a sign-out
that makes the browser forget what it kept."""

import json
import re

import pytest
from django.contrib.staticfiles import finders

from casework.offline import CLEAR_SITE_DATA, OFFLINE_STATIC, WORKBOX_MODULES, WORKBOX_PATH
from tests.conftest import make_family_case

pytestmark = pytest.mark.django_db


def test_the_service_worker_is_served_at_the_root_to_anyone_and_never_kept_stale(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-store, private"  # every update check fetches it again
    assert "http://" not in response.content.decode() and "https://" not in response.content.decode()  # no CDN


def test_the_service_worker_loads_only_the_vendored_workbox_files_which_exist(client):
    script = client.get("/sw.js").content.decode()
    config = json.loads(re.search(r"var CONFIG = (\{.*\});", script).group(1))
    assert config["workboxSw"] == f"/static/{WORKBOX_PATH}workbox-sw.js"
    assert config["modulePathPrefix"] == f"/static/{WORKBOX_PATH}"
    for name in config["workboxModules"]:
        assert finders.find(f"{WORKBOX_PATH}workbox-{name}.prod.js"), name
    assert config["workboxModules"] == list(WORKBOX_MODULES)
    assert finders.find(WORKBOX_PATH + "workbox-sw.js") and finders.find(WORKBOX_PATH + "LICENSE")
    assert all(finders.find(path) for path in OFFLINE_STATIC)
    assert config["offlineStatic"] == [f"/static/{path}" for path in OFFLINE_STATIC]


def test_the_service_worker_keeps_only_case_pages_and_contact_forms(client):
    script = client.get("/sw.js").content.decode()
    patterns = {name: re.compile(re.search(rf"var {name} = /(.*)/;", script).group(1).replace(r"\/", "/"))
                for name in ("CASE_PAGE", "CONTACT_FORM")}

    def kept(path):
        return any(p.match(path) for p in patterns.values())

    assert kept("/cases/QLD-2026-000123/") and kept("/contacts/case/QLD-2026-000123/new/")
    for path in ("/cases/", "/cases/new/", "/cases/access-report/", "/cases/QLD-2026-000123/edit/",
                 "/contacts/drafts/", "/api/contacts/", "/contacts/case/QLD-2026-000123/timeline/"):
        assert not kept(path), path


def test_the_manifest_makes_the_app_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == "/" and manifest["scope"] == "/" and manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_signed_in_pages_link_the_manifest_and_show_the_connection_bar(client, cast):
    case = make_family_case(cast.worker)
    client.force_login(cast.worker)
    page = client.get(f"/contacts/case/{case.reference}/new/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'id="offline-status"' in page and 'role="status" aria-live="polite"' in page
    assert 'data-service-worker="/sw.js"' in page and 'data-contacts-api="/api/contacts/"' in page
    assert f'data-case="{case.reference}"' in page


def test_the_sign_in_page_has_no_connection_bar_and_registers_no_worker(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'id="offline-status"' not in page and "data-service-worker" not in page


def test_signing_out_tells_the_browser_to_forget_its_caches_and_storage(client, cast):
    client.force_login(cast.worker)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Clear-Site-Data"] == CLEAR_SITE_DATA == '"cache", "storage"'


def test_the_idle_sign_out_makes_the_browser_forget_too(client, cast):
    client.force_login(cast.worker)
    response = client.post("/session/idle-sign-out/", {"next": "/cases/"})
    assert response.status_code == 302 and response["Clear-Site-Data"] == CLEAR_SITE_DATA

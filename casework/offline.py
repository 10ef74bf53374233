"""Offline recording (issue 16): the installable web app's manifest, its service worker, and a
sign-out that removes everything the browser kept.

The service worker is rendered here rather than served as a static file: a worker's scope is
at most the folder it is served from, and it must cover the whole site, so it lives at
``/sw.js``; and the addresses of the vendored Workbox files (hashed in production) come from
``{% static %}``. What it caches and why is written in ``templates/offline/sw.js``.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

WORKBOX_VERSION = "7.4.1"
WORKBOX_PATH = f"vendor/workbox-{WORKBOX_VERSION}/"
# The Workbox modules the worker loads (each a workbox-<name>.prod.js file in WORKBOX_PATH).
WORKBOX_MODULES = ("core", "routing", "strategies", "expiration", "cacheable-response")
# Bump when the worker's caches change shape: the new worker deletes the older caches.
CACHE_VERSION = "1"
# Static files the contact form needs, cached when the worker installs so the form opens offline.
OFFLINE_STATIC = ("css/casework.css", "js/htmx.min.js", "js/casework.js", "js/contacts.js", "js/offline.js",
                  "img/favicon.svg", "img/icon-192.png", "img/icon-512.png")
# Sent with every sign-out: the browser deletes the worker's caches and the typed contacts
# waiting in IndexedDB (and unregisters the worker). Only honoured on https or localhost.
CLEAR_SITE_DATA = '"cache", "storage"'


@login_not_required
@require_GET
def service_worker(request):
    """The service worker. Nothing in it is about a case, so it is served to anyone."""
    static_url = "/" + settings.STATIC_URL.lstrip("/")
    config = {
        "workboxSw": static(WORKBOX_PATH + "workbox-sw.js"),
        # workbox-sw loads each module from this folder by its plain name (collectstatic keeps
        # the unhashed copies; the folder is named by the version, so a new one is a new path).
        "modulePathPrefix": static_url + WORKBOX_PATH,
        "workboxModules": list(WORKBOX_MODULES),
        "staticUrl": static_url,
        "offlineStatic": [static(path) for path in OFFLINE_STATIC],
        "cacheVersion": CACHE_VERSION,
        "loginPath": reverse("login"),
    }
    response = render(request, "offline/sw.js", {"config": json.dumps(config)},
                      content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@login_not_required
@require_GET
def web_manifest(request):
    """The web app manifest: name, icons, start page (installable on a laptop or tablet)."""
    return render(request, "offline/manifest.webmanifest", {
        "icon_192": static("img/icon-192.png"), "icon_512": static("img/icon-512.png"),
        "icon_svg": static("img/favicon.svg"),
    }, content_type="application/manifest+json")


def clear_site_data(response):
    response["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


class SignOutView(auth_views.LogoutView):
    """Django's sign-out, and the browser forgets the cached case pages and what waits to be sent."""

    def post(self, request, *args, **kwargs):
        return clear_site_data(super().post(request, *args, **kwargs))

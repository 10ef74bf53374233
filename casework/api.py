"""The REST API under /api/: each app contributes its own routes from <app>/api/urls.py."""

from django.urls import include, path

api_urls = [
    path("", include("cases.api.urls")),
    path("", include("contacts.api.urls")),
    path("", include("caseplans.api.urls")),
    path("", include("services.api.urls")),
    path("", include("alerts.api.urls")),
    path("", include("responses.api.urls")),
    path("", include("care.api.urls")),
]

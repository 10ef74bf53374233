from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from cases.views import session_keepalive
from casework import offline, sessions
from casework.api import api_urls
from casework.views import favicon, not_found

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="cases:my_cases", permanent=False)),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", offline.SignOutView.as_view(), name="logout"),
    path("session/keepalive/", session_keepalive, name="session_keepalive"),
    path("session/status/", sessions.session_status, name="session_status"),
    path("session/idle-sign-out/", sessions.session_idle_sign_out, name="session_idle_sign_out"),
    path("cases/", include("cases.urls")),
    path("contacts/", include("contacts.urls")),
    path("plans/", include("caseplans.urls")),
    path("services/", include("services.urls")),
    path("alerts/", include("alerts.urls")),
    path("responses/", include("responses.urls")),
    path("care/", include("care.urls")),
    path("api/", include(api_urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("favicon.ico", favicon),
    # Issue 16: at the root, so the service worker's scope covers the whole app.
    path("sw.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.web_manifest, name="web_manifest"),
]

handler404 = not_found

"""Values every page needs: the idle-timeout settings and the navigation for the user's role."""

from django.conf import settings

from cases.extensions import nav_links


def casework(request):
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "session_idle_seconds": settings.SESSION_IDLE_MINUTES * 60,
        "session_warning_seconds": settings.SESSION_WARNING_MINUTES * 60,
        "nav_links": nav_links(user) if signed_in else [],
    }

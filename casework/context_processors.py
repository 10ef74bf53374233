"""Values every page needs: the idle-timeout settings and the navigation for the user's role."""

from django.conf import settings


def casework(request):
    return {
        "session_idle_seconds": settings.SESSION_IDLE_MINUTES * 60,
        "session_warning_seconds": settings.SESSION_WARNING_MINUTES * 60,
    }

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
        "unread_alerts": _LazyCount(user) if signed_in else 0,
    }


class _LazyCount:
    """Counts the user's new alerts only when a template shows the bell."""

    def __init__(self, user):
        self.user = user
        self._value = None

    def __int__(self):
        if self._value is None:
            from alerts.selectors import unread_count

            self._value = unread_count(self.user)
        return self._value

    def __str__(self):
        return str(int(self))

    def __bool__(self):
        return int(self) > 0

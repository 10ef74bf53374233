"""The alerts inbox: a person's alerts with filters, and acknowledging one."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from alerts import selectors, services
from alerts.models import AlertKind, AlertStatus


def inbox(request):
    status = request.GET.get("status", AlertStatus.NEW)
    kind = request.GET.get("kind", "")
    alerts = selectors.alerts_for(request.user, status=status if status in AlertStatus.values else None,
                                  kind=kind if kind in AlertKind.values else None)
    page = Paginator(alerts, 50).get_page(request.GET.get("page"))
    return render(request, "alerts/inbox.html", {
        "page": page, "status": status, "kind": kind, "statuses": AlertStatus.choices, "kinds": AlertKind.choices,
    })


@require_POST
def acknowledge(request, pk):
    # Only a recipient sees an alert at all; anyone else gets 404.
    alert = get_object_or_404(selectors.alerts_for(request.user), pk=pk)
    services.alert_acknowledge(user=request.user, alert=alert)
    if request.htmx:
        return render(request, "alerts/_alert_row.html", {"alert": alert})
    return redirect(request.POST.get("next") or "alerts:inbox")



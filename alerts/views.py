"""The alerts inbox: a person's alerts with filters, and acknowledging one."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_POST

from alerts import selectors, services
from alerts.models import AlertKind, AlertStatus

PAGE_SIZE = 50


def _filters(params) -> tuple[str, str]:
    status = params.get("status", AlertStatus.NEW)
    kind = params.get("kind", "")
    return (status if status in AlertStatus.values else "all"), (kind if kind in AlertKind.values else "")


def _filtered(user, status: str, kind: str):
    return selectors.alerts_for(user, status=None if status == "all" else status, kind=kind or None)


def inbox(request):
    status, kind = _filters(request.GET)
    page = Paginator(_filtered(request.user, status, kind), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "alerts/inbox.html", {
        "page": page, "status": status, "kind": kind, "statuses": AlertStatus.choices, "kinds": AlertKind.choices,
        "groups": selectors.kind_counts(request.user, status=None if status == "all" else status),
        "query": urlencode({"status": status, **({"kind": kind} if kind else {})}), "path": request.path,
    })


@require_POST
def acknowledge_many(request):
    """Acknowledge the ticked alerts, or every alert of the current filter ("all")."""
    if request.POST.get("all"):
        status, kind = _filters(request.POST)
        chosen = _filtered(request.user, status, kind)
    else:
        ids = [int(i) for i in request.POST.getlist("alert") if i.isdigit()]
        chosen = selectors.alerts_for(request.user).filter(pk__in=ids)
        if not ids:
            messages.error(request, "Choose the alerts to acknowledge.")
            return redirect(_back(request))
    done = services.alerts_acknowledge(user=request.user, alerts=chosen)
    messages.success(request, f"{done} alert{pluralize(done)} acknowledged.")
    return redirect(_back(request))


def _back(request) -> str:
    status, kind = _filters(request.POST)
    return f"{reverse('alerts:inbox')}?{urlencode({'status': status, **({'kind': kind} if kind else {})})}"


@require_POST
def acknowledge(request, pk):
    # Only a recipient sees an alert at all; anyone else gets 404.
    alert = get_object_or_404(selectors.alerts_for(request.user), pk=pk)
    services.alert_acknowledge(user=request.user, alert=alert)
    if request.htmx:
        return render(request, "alerts/_alert_row.html", {"alert": alert})
    return redirect(request.POST.get("next") or "alerts:inbox")



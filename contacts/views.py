"""Pages of the contacts app. A view parses input, calls one selector or service, renders."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases import extensions
from cases import selectors as case_selectors
from cases.models import AttachmentTarget, Role
from cases.permissions import Action, can, get_case_or_404
from cases.services import CaseworkError
from casework.sessions import background
from contacts import forms, rules, selectors, services
from contacts.models import CaseMonthAmendment, ContactDraft, RequirementChange
from responses.selectors import active_record_alerts


def _draft_of(user, case, draft_id) -> ContactDraft | None:
    if not draft_id:
        return None
    return get_object_or_404(ContactDraft, pk=draft_id, author=user, case=case)


def _amends_closed(case, moments) -> str:
    """What the worker is told when a contact lands in a month that has already closed."""
    months = selectors.closed_months_among(case, [timezone.localtime(m).date() for m in moments])
    if not months:
        return ""
    names = " and ".join(f"{m:%B %Y}" for m in months)
    return (f" {names} had already closed: its result is amended by this contact, and the amendment"
            " (who, when, why, the result as closed and as amended) is recorded on the month's page.")


def contact_create(request, reference):
    case = get_case_or_404(request.user, reference, Action.EDIT)
    draft = _draft_of(request.user, case, request.POST.get("draft") or request.GET.get("draft"))
    if request.method == "POST":
        form = forms.ContactForm(request.POST, case=case, user=request.user)
        if form.is_valid():
            try:
                contact = services.contact_record(user=request.user, case=case, data=form.contact_input, draft=draft)
            except CaseworkError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Contact saved for {case.reference}."
                                 + (" It was recorded late." if contact.recorded_late else "")
                                 + _amends_closed(case, [contact.occurred_at]))
                return redirect(case)
        # Whatever was typed is kept as a draft too, so a failed save loses nothing.
        draft = services.draft_save(user=request.user, case=case, data=_form_data(request), draft=draft)
    elif draft is not None:
        form = forms.ContactForm(draft.data, case=case, user=request.user)
    else:
        form = forms.ContactForm(case=case, user=request.user)
    return render(request, "contacts/contact_form.html", {
        "form": form, "case": case, "draft": draft, "title": "Record a contact",
        "unfinished": [] if draft is not None or request.method == "POST"
        else list(selectors.my_drafts(request.user).filter(case=case).order_by("-updated_at")[:3]),
        "record_alerts": active_record_alerts([case.pk])[case.pk],
        "autosave_url": reverse("contacts:draft_autosave", args=[case.reference]),
        "autosave_seconds": settings.CONTACT_DRAFT_AUTOSAVE_SECONDS,
    })


_MULTIPLE_CHOICE = ("participants", "seen_alone")


def _form_data(request) -> dict:
    """What was typed, as JSON the form can be rebuilt from (a draft)."""
    return {key: request.POST.getlist(key) if key in _MULTIPLE_CHOICE else request.POST.get(key)
            for key in request.POST}


@background
@require_POST
def draft_autosave(request, reference):
    """Called by the contact form as the worker types (htmx); answers with the draft id.
    Background: saving a draft is not activity, so an open form does not keep an idle
    session signed in (the page saves once more just before its idle sign-out)."""
    case = get_case_or_404(request.user, reference, Action.EDIT)
    # Without the draft's id, the form's draft key finds the same typing sent before (a beacon
    # as the page closed, the next page's copy of it, the offline page's sync): see draft_save.
    draft = _draft_of(request.user, case, request.POST.get("draft"))
    draft = services.draft_save(user=request.user, case=case, data=_form_data(request), draft=draft)
    return render(request, "contacts/_draft_status.html", {"draft": draft, "saved_at": timezone.localtime()})


def drafts(request):
    return render(request, "contacts/drafts.html", {"drafts": selectors.my_drafts(request.user)})


@require_POST
def draft_discard(request, pk):
    draft = get_object_or_404(ContactDraft, pk=pk, author=request.user)
    services.draft_discard(user=request.user, draft=draft)
    messages.success(request, "Draft discarded.")
    return redirect("contacts:drafts")


def _attachments_of(contact):
    return case_selectors.attachments_of(contact.case, target_kind=AttachmentTarget.CONTACT, target_id=contact.pk)


def contact_detail(request, pk):
    contact = selectors.contact_for(request.user, pk)
    contact = selectors.contacts_with_people().get(pk=contact.pk)
    can_edit_case = can(request.user, Action.EDIT, contact.case)
    return render(request, "contacts/contact_detail.html", {
        "contact": contact, "case": contact.case,
        "attachments": _attachments_of(contact),
        "can_add_addendum": can_edit_case,
        "can_edit": can_edit_case and contact.author_id == request.user.pk and not services.contact_is_locked(contact),
        "editable_until": services.editable_until(contact),
        "addendum_form": forms.AddendumForm(),
    })


def contact_edit(request, pk):
    contact = selectors.contact_for(request.user, pk, Action.EDIT)
    case = contact.case
    if request.method == "POST":
        form = forms.ContactForm(request.POST, case=case, user=request.user)
        if form.is_valid():
            before = contact.occurred_at
            try:
                contact = services.contact_update(user=request.user, contact=contact, data=form.contact_input)
            except CaseworkError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Contact corrected." + _amends_closed(case, [before, contact.occurred_at]))
                return redirect(contact)
    else:
        if services.contact_is_locked(contact) or contact.author_id != request.user.pk:
            messages.error(request, "This record can no longer be edited; add an addendum instead.")
            return redirect(contact)
        form = forms.ContactForm(initial=forms.ContactForm.initial_from_contact(contact), case=case, user=request.user)
    return render(request, "contacts/contact_form.html", {
        "form": form, "case": case, "title": "Correct a contact", "contact": contact,
        "record_alerts": active_record_alerts([case.pk])[case.pk]})


@require_POST
def addendum_add(request, pk):
    contact = selectors.contact_for(request.user, pk, Action.EDIT)
    form = forms.AddendumForm(request.POST)
    if form.is_valid():
        try:
            services.addendum_add(user=request.user, contact=contact, **form.cleaned_data)
        except CaseworkError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Addendum added.")
            return redirect(contact)
    contact = selectors.contacts_with_people().get(pk=contact.pk)
    return render(request, "contacts/contact_detail.html", {
        "contact": contact, "case": contact.case, "can_add_addendum": True, "addendum_form": form,
        "attachments": _attachments_of(contact),
        "editable_until": services.editable_until(contact),
    }, status=400)


def timeline(request, reference):
    case = get_case_or_404(request.user, reference)
    kind = request.GET.get("kind", "")
    member = request.GET.get("person", "")
    members = selectors.members_by_id(case)
    member_id = int(member) if member.isdigit() and int(member) in members else None
    return render(request, "contacts/timeline.html", {
        "case": case, "entries": selectors.case_timeline(request.user, case, kind=kind, member_id=member_id),
        "kinds": selectors.TIMELINE_KINDS, "kind": kind, "members": members.values(), "member_id": member_id,
    })


def month_detail(request, reference, month):
    """One month's evaluation of the standard for a case (stored result)."""
    case = get_case_or_404(request.user, reference)
    try:
        first = timezone.datetime.strptime(month, "%Y-%m").date()
    except ValueError:
        raise Http404 from None
    result = selectors.month_result(case, first)
    if result is None:
        raise Http404
    amendments = CaseMonthAmendment.objects.filter(case=case, month=first).select_related("amended_by")
    return render(request, "contacts/month.html", {"case": case, "result": result, "amendments": amendments,
                                                   "members": selectors.members_by_id(case),
                                                   "sections": extensions.render_month_sections(request, case, first),
                                                   "contacts": selectors.contacts_of_result(result)})


def requirement_request(request, reference):
    case = get_case_or_404(request.user, reference, Action.EDIT)
    if not services.can_request_changes(request.user, case):
        # They see the case but may not ask to change its requirement: 403, as for any change
        # of a case one may see (404 is for cases one may not see).
        raise PermissionDenied("Only the case's caseworker or a team leader asks to change the requirement.")
    form = forms.RequirementChangeForm(request.POST or None, initial={"kind": request.GET.get("kind", "override")})
    this_month = timezone.localdate().replace(day=1)
    preview, preview_month = None, this_month
    if request.method == "POST" and form.is_valid() and request.POST.get("preview"):
        preview_month = max(form.cleaned_data["first_month"], min(this_month, form.cleaned_data["last_month"]))
        [preview] = services.requirement_previews([(case, preview_month, form.cleaned_data["kind"], form.counts)])
    elif request.method == "POST" and form.is_valid():
        try:
            services.requirement_change_request(
                user=request.user, case=case, kind=form.cleaned_data["kind"],
                first_month=form.cleaned_data["first_month"], last_month=form.cleaned_data["last_month"],
                counts=form.counts, reason=form.cleaned_data["reason"])
        except CaseworkError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Request sent to the team leader for approval.")
            return redirect(case)
    previewing = preview is not None
    if not previewing:  # the standard as it is this month: nothing proposed yet
        [preview] = services.requirement_previews([(case, this_month, "override", {})])
    return render(request, "contacts/request_form.html", {
        "form": form, "case": case, "title": "Request a change to the contact requirement",
        "preview": preview, "preview_month": preview_month, "previewing": previewing})


def approvals(request):
    if request.user.role != Role.TEAM_LEADER:
        raise Http404
    requests = list(selectors.approvals_queue(request.user))
    effects = services.requirement_changes_effects(requests)
    today = timezone.localdate()
    shown = [max(c.first_month, min(today.replace(day=1), c.last_month)) for c in requests]
    previews = services.requirement_previews([(c.case, m, c.kind, c.counts) for c, m in zip(requests, shown,
                                                                                             strict=True)])
    for change, month, preview in zip(requests, shown, previews, strict=True):
        change.closed_effects = effects[change.pk]
        change.preview_month, change.preview = month, preview
    return render(request, "contacts/approvals.html", {
        "requests": requests, "adjustable": rules.ADJUSTABLE,
        "form": forms.DecisionForm(),
    })


@require_POST
def request_decide(request, pk):
    change = get_object_or_404(RequirementChange.objects.select_related("case"), pk=pk)
    get_case_or_404(request.user, change.case.reference, Action.APPROVE)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve or reject.")
        return redirect("contacts:approvals")
    try:
        services.requirement_change_decide(user=request.user, change=change,
                                           approve=form.cleaned_data["decision"] == "approve",
                                           comment=form.cleaned_data["comment"],
                                           amend_closed=form.cleaned_data["amend_closed"])
    except CaseworkError as error:
        messages.error(request, f"{change.case.reference}: {error}")
    else:
        messages.success(request, f"{change.case.reference}: request {change.get_status_display().lower()}.")
    return redirect("contacts:approvals")


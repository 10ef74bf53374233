"""Pages for case records. A view parses input, calls one selector or service, renders."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases import attachment_rules, extensions, forms, selectors, services
from cases.access_log import note_look
from cases.models import (
    Address,
    AttachmentTarget,
    CaseMember,
    ChildGoal,
    LegalStatus,
    LivingArrangement,
    LookHow,
    MemberRole,
    RiskAssessment,
    Role,
)
from cases.permissions import (
    Action,
    can,
    get_case_or_404,
    may_audit,
    may_create_cases,
    may_read_withdrawn,
    reading_visible_case,
    teams_for_new_cases,
    teams_for_reallocation,
)
from casework.dates import day_label
from casework.views import save_or_form_error


def _int_or_none(value):
    return int(value) if value and value.isdigit() else None


def case_list(request):
    """"My cases" for a caseworker, the teams' cases for a team leader, the offices' for a manager.
    An administrator sees no case records: they land on where their work is."""
    if request.user.role == Role.ADMINISTRATOR:
        return render(request, "cases/administrator_home.html", {"links": extensions.nav_links(request.user)})
    scope = request.GET.get("scope", selectors.default_scope(request.user))
    search = request.GET.get("q", "")
    team_id = _int_or_none(request.GET.get("team"))
    office_id = _int_or_none(request.GET.get("office"))
    include_closed = request.GET.get("closed") == "1"
    cases = selectors.case_list(request.user, search=search, scope=scope, include_closed=include_closed,
                                team_id=team_id, office_id=office_id)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    note_look([case.pk for case in page])  # the rows show each case's children by name
    teams = list(selectors.teams_overseen(request.user))
    template = "cases/_case_rows.html" if request.htmx else "cases/case_list.html"
    return render(request, template, {
        "page": page, "search": search, "scope": scope, "team_id": team_id, "include_closed": include_closed,
        "teams": teams, "offices": sorted({t.office for t in teams}, key=str), "office_id": office_id,
        "may_create": may_create_cases(request.user),
    })


def case_create(request):
    if not may_create_cases(request.user):
        raise Http404
    teams = list(teams_for_new_cases(request.user))
    form = forms.CaseForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        case = save_or_form_error(form, lambda: services.case_create(user=request.user, **form.cleaned_data))
        if case:
            messages.success(request, f"Case {case.reference} opened.")
            return redirect(case)
    return render(request, "cases/form.html", {"form": form, "title": "Open a case"})


HISTORY_LIMIT = 200


def case_detail(request, reference):
    case = selectors.case_detail(request.user, reference)
    if case is None:
        raise Http404("No such case.")
    members = list(case.members.all())
    with reading_visible_case(request.user, case):
        return _case_page(request, case, members)


def _case_page(request, case, members):
    return render(request, "cases/case_detail.html", {
        "case": case,
        "children": [m for m in members if m.role == MemberRole.CHILD],
        "others": [m for m in members if m.role != MemberRole.CHILD],
        "can_edit": can(request.user, Action.EDIT, case),
        "can_allocate": can(request.user, Action.ALLOCATE, case),
        "can_restrict": can(request.user, Action.RESTRICT, case),
        "can_audit": may_audit(request.user, case),
        "lead_sections": extensions.render_case_sections(request, case, lead=True),
        "sections": extensions.render_case_sections(request, case, lead=False),
    })


def case_history(request, reference):
    """Who changed what on the case's records: opened from the case page (htmx, into its
    "Record history"), or as a page of its own without JavaScript."""
    case = get_case_or_404(request.user, reference)
    prefetch_related_objects([case], "members__person")
    context = {"case": case, "history": selectors.case_record_history(case, limit=HISTORY_LIMIT),
               "history_limit": HISTORY_LIMIT}
    template = "cases/_record_history.html" if request.htmx else "cases/case_history.html"
    return render(request, template, context)


def case_edit(request, reference):
    case = get_case_or_404(request.user, reference, Action.EDIT)
    form = forms.CaseEditForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        if save_or_form_error(form, lambda: services.case_update(user=request.user, case=case, **form.cleaned_data)):
            messages.success(request, "Case updated.")
            return redirect(case)
    return render(request, "cases/form.html", {"form": form, "case": case, "title": "Edit case"})


def case_reallocate(request, reference):
    case = get_case_or_404(request.user, reference, Action.ALLOCATE)
    form = forms.ReallocateForm(request.POST or None, teams=teams_for_reallocation(request.user), case=case)
    if request.method == "POST" and form.is_valid():
        new_worker = form.cleaned_data["caseworker"]
        done = save_or_form_error(form, lambda: services.case_reallocate(
            user=request.user, case=case, caseworker=new_worker, team=new_worker.team,
            reason=form.cleaned_data["reason"], on=form.cleaned_data["on"]))
        if done:
            messages.success(request, f"{case.reference} reallocated to {new_worker}.")
            return redirect(case)
    return render(request, "cases/form.html", {"form": form, "case": case, "title": "Reallocate case"})


def case_restricted(request, reference):
    """Restricted access: a leader of the case's team marks or unmarks it (with a reason) and
    keeps the list of staff named on it. Which form was sent is the button's ``do``."""
    case = get_case_or_404(request.user, reference, Action.RESTRICT)
    do = request.POST.get("do", "") if request.method == "POST" else ""
    restrict_form = forms.RestrictForm(request.POST if do == "restrict" else None)
    staff_form = forms.RestrictedStaffForm(request.POST if do == "add" else None, case=case)
    writes = {
        "restrict": (restrict_form, lambda: services.case_restrict(
            user=request.user, case=case, reason=restrict_form.cleaned_data["reason"]), "Access restricted."),
        "unrestrict": (restrict_form, lambda: services.case_unrestrict(user=request.user, case=case),
                       "The restriction is lifted."),
        "add": (staff_form, lambda: services.case_restricted_staff_add(
            user=request.user, case=case, staff=staff_form.cleaned_data["staff"]), "Staff member named."),
        "remove": (staff_form, lambda: services.case_restricted_staff_remove(
            user=request.user, case=case, staff=case.restricted_staff.filter(pk=_int_or_none(
                request.POST.get("staff", ""))).first()), "Staff member taken off the list."),
    }
    form, write, done = writes.get(do, (None, None, ""))
    if write is not None and (not form.is_bound or form.is_valid()):
        try:
            write()
        except services.CaseworkError as error:
            if not form.is_bound:  # a button without fields: the message goes above the page
                messages.error(request, str(error))
                return redirect("cases:restricted", reference=case.reference)
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return redirect("cases:restricted", reference=case.reference)
    return render(request, "cases/restricted.html", {
        "case": case, "restrict_form": restrict_form, "staff_form": staff_form,
        "named": case.restricted_staff_entries.select_related("user", "added_by"),
    })


def member_add(request, reference):
    """Add a new person to the case, or someone already recorded in a case the user may see
    (found by name; chosen with ``?person=<id>``)."""
    case = get_case_or_404(request.user, reference, Action.EDIT)
    data = request.POST or None
    person_id = request.POST.get("person") or request.GET.get("person")
    existing = None
    if person_id:
        existing = selectors.visible_person(request.user, person_id) if person_id.isdigit() else None
        if existing is None:
            raise Http404("No such person.")
    find = request.GET.get("find", "")
    person_form = None if existing else forms.PersonForm(data, prefix="person")
    member_form = forms.MemberForm(data, case=case, prefix="member")
    if request.method == "POST" and member_form.is_valid() and (existing or person_form.is_valid()):
        person = existing or person_form.save(commit=False)
        member = save_or_form_error(member_form, lambda: services.member_add(
            user=request.user, case=case, person=person, **member_form.cleaned_data))
        if member:
            messages.success(request, f"{member.person} added to {case.reference}.")
            return redirect(case)
    return render(request, "cases/member_add.html", {
        "case": case, "person_form": person_form, "member_form": member_form, "existing": existing,
        "find": find, "matches": selectors.people_search(request.user, find, exclude_case=case) if find else None,
        "title": f"Add {existing} to the case" if existing else "Add a person to the case",
    })


def _member_of(case, member_id) -> CaseMember:
    return get_object_or_404(CaseMember.objects.select_related("person", "case"), case=case, pk=member_id)


def member_edit(request, reference, member_id):
    case = get_case_or_404(request.user, reference, Action.EDIT)
    member = _member_of(case, member_id)
    note_look(case, person=member.person_id)  # the person's own page
    person_form = forms.PersonForm(request.POST or None, instance=member.person, prefix="person")
    member_form = forms.MemberEditForm(request.POST or None, instance=member, prefix="member")
    if request.method == "POST" and person_form.is_valid() and member_form.is_valid():
        member_data = dict(member_form.cleaned_data)
        if save_or_form_error(member_form, lambda: services.member_and_person_update(
                user=request.user, member=member, person=person_form.instance,
                person_lock_version=person_form.cleaned_data["lock_version"], **member_data), person_form):
            messages.success(request, f"{member.person} updated.")
            return redirect(case)
    elsewhere = selectors.other_visible_memberships(request.user, member)
    intro = (f"{member.person} is also in {', '.join(m.case.reference for m in elsewhere)}: changes to their "
             "details show there too." if elsewhere else "")
    return render(request, "cases/form.html", {
        "forms": [person_form, member_form], "case": case, "title": f"Edit {member.person}", "intro": intro,
    })


def address_add(request, reference, member_id):
    case = get_case_or_404(request.user, reference, Action.EDIT)
    member = _member_of(case, member_id)
    form = forms.AddressForm(request.POST or None, instance=Address(person=member.person))
    if request.method == "POST" and form.is_valid():
        if save_or_form_error(form, lambda: services.address_record(user=request.user, case=case,
                                                                address=form.instance)):
            messages.success(request, f"Address recorded for {member.person}.")
            return redirect(case)
    return render(request, "cases/form.html", {"form": form, "case": case, "title": f"Address of {member.person}"})


CHILD_FACTS = {
    "legal-status": (LegalStatus, forms.LegalStatusForm, "legal status"),
    "goal": (ChildGoal, forms.ChildGoalForm, "case plan goal"),
    "living-arrangement": (LivingArrangement, forms.LivingArrangementForm, "living arrangement"),
}


def child_fact_edit(request, reference, member_id, kind, fact_id=None):
    """Add (or end/correct) a child's legal status, case plan goal or living arrangement."""
    if kind not in CHILD_FACTS:
        raise Http404
    model, form_class, label = CHILD_FACTS[kind]
    case = get_case_or_404(request.user, reference, Action.EDIT)
    member = _member_of(case, member_id)
    if member.role != MemberRole.CHILD:
        raise Http404
    instance = get_object_or_404(model, member=member, pk=fact_id) if fact_id else None
    form = form_class(request.POST or None, instance=instance, member=member, user=request.user)
    if request.method == "POST" and form.is_valid():
        end_current = form.cleaned_data.get("end_current", False)
        superseded = form.instance.superseded() if end_current else None
        if save_or_form_error(form, lambda: services.child_fact_record(
                user=request.user, fact=form.instance, end_current=end_current,
                lock_version=form.cleaned_data.get("lock_version"))):
            messages.success(request, f"The {label} of {member.person.given_name} was saved.")
            if superseded is not None:
                messages.info(request, f"The previous {label} ({superseded}) now ends on "
                                       f"{day_label(form.instance.effective_from - dt.timedelta(days=1))}.")
            return redirect(case)
    verb = "Change" if instance else "Add"
    return render(request, "cases/form.html", {
        "form": form, "case": case, "title": f"{verb} {label}: {member.person}",
    })


def risk_assessment_edit(request, reference, assessment_id=None):
    """Record a risk assessment, or correct one (the history keeps what it said before)."""
    case = get_case_or_404(request.user, reference, Action.EDIT)
    instance = get_object_or_404(RiskAssessment, case=case, pk=assessment_id) if assessment_id else None
    form = forms.RiskAssessmentForm(request.POST or None, instance=instance, case=case, user=request.user)
    if request.method == "POST" and form.is_valid():
        if save_or_form_error(form, lambda: services.risk_assessment_record(
                user=request.user, assessment=form.instance, lock_version=form.cleaned_data.get("lock_version"))):
            messages.success(request, "Risk assessment saved.")
            return redirect(case)
    title = "Correct a risk assessment" if instance else "Record a risk assessment"
    return render(request, "cases/form.html", {"form": form, "case": case, "title": title})


LOOKS_PER_PAGE = 50
FAILURES_SHOWN = 200


def case_looks(request, reference):
    """Who has looked at this case: for its team leader and its office's managers (else 404)."""
    case = get_case_or_404(request.user, reference, Action.AUDIT)
    page = Paginator(selectors.case_looks(case), LOOKS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "cases/case_looks.html", {"case": case, "page": page, "path": request.path})


def _agency_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def access_report(request):
    """Managers: looks at their offices' cases from outside the looker's caseload and team, and
    the sign-ins and failed sign-ins of their offices' staff, over a period (else 404)."""
    if request.user.role != Role.MANAGER:
        raise Http404
    form = forms.AccessReportForm(request.GET)
    if not form.is_valid():
        return render(request, "cases/access_report.html", {"form": form}, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    period = {"start": _agency_midnight(start), "end": _agency_midnight(end + dt.timedelta(days=1))}
    tab = "sign-ins" if request.GET.get("tab") == "sign-ins" else "looks"
    query = urlencode({"start": start.isoformat(), "end": end.isoformat(), "tab": tab})
    context = {"form": form, "start": start, "end": end, "tab": tab, "path": request.path, "query": query,
               "period": urlencode({"start": start.isoformat(), "end": end.isoformat()})}
    if tab == "looks":
        context["page"] = Paginator(selectors.looks_outside_caseload(request.user, **period),
                                    LOOKS_PER_PAGE).get_page(request.GET.get("page"))
    else:
        context["page"] = Paginator(selectors.sign_ins(request.user, **period),
                                    LOOKS_PER_PAGE).get_page(request.GET.get("page"))
        failures = selectors.sign_in_failures(request.user, **period)
        context["failures"], context["failures_count"] = list(failures[:FAILURES_SHOWN]), failures.count()
    return render(request, "cases/access_report.html", context)


@require_POST
def session_keepalive(request):
    """Called by the idle-timeout warning's "Stay signed in" button; the request itself is
    activity, which pushes the session expiry forward (casework.sessions)."""
    request.session["keepalive"] = True
    return JsonResponse({"ok": True})



# --- Attachments (issue 16) ----------------------------------------------------------------


def _target_of(request) -> tuple[str, int | None]:
    kind = request.POST.get("target_kind") or request.GET.get("target_kind") or AttachmentTarget.CASE
    return kind, _int_or_none(request.POST.get("target_id") or request.GET.get("target_id") or "")


def attachment_add(request, reference):
    """Attach a document or photo to the case, or to one of its records (``?target_kind=&target_id=``)."""
    case = get_case_or_404(request.user, reference, Action.EDIT)
    kind, target_id = _target_of(request)
    form = forms.AttachmentForm(request.POST or None, request.FILES or None,
                                initial={"target_kind": kind, "target_id": target_id})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        attachment = save_or_form_error(form, lambda: services.attachment_upload(
            user=request.user, case=case, upload=data["file"], title=data["title"],
            target_kind=data["target_kind"] or AttachmentTarget.CASE, target_id=data["target_id"] or None))
        if attachment:
            messages.success(request, f"“{attachment.title}” attached.")
            return redirect(attachment)
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/attachment_form.html", {"form": form, "case": case, "title": "Attach a document"},
                  status=status)


def _attachment(request, reference, attachment_id, action=Action.VIEW):
    case = get_case_or_404(request.user, reference, action)
    attachment = selectors.attachment_in_case(case, attachment_id)
    if attachment is None:
        raise Http404("No such attachment.")
    return case, attachment


def attachment_detail(request, reference, attachment_id):
    case, attachment = _attachment(request, reference, attachment_id)
    return render(request, "cases/attachment_detail.html", {
        "case": case, "attachment": attachment, "kind": attachment_rules.KINDS.get(attachment.file_type),
        "may_open": not attachment.withdrawn or may_read_withdrawn(request.user, case),
        "can_withdraw": not attachment.withdrawn and can(request.user, Action.EDIT, case),
    })


def _file_response(request, reference, attachment_id, *, inline: bool):
    case, attachment = _attachment(request, reference, attachment_id)
    if attachment.withdrawn and not may_read_withdrawn(request.user, case):
        raise Http404("No such attachment.")
    kind = attachment_rules.KINDS[attachment.file_type]
    if inline and not attachment.previewable:
        raise Http404("This attachment has no preview.")
    response = FileResponse(services.attachment_storage().open(attachment.storage_name, "rb"),
                            as_attachment=not inline, content_type=kind.content_type,
                            filename=attachment_rules.download_name(attachment.original_name, attachment.file_type))
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    response.access_log_how, response.access_log_what = LookHow.DOWNLOAD, f"attachment {attachment.pk}"
    return response


def attachment_download(request, reference, attachment_id):
    """The file, saved by the browser (``Content-Disposition: attachment``), never cached."""
    return _file_response(request, reference, attachment_id, inline=False)


def attachment_preview(request, reference, attachment_id):
    """A PDF or an image shown in the browser (``inline``), with the same access as the download."""
    return _file_response(request, reference, attachment_id, inline=True)


def attachment_withdraw(request, reference, attachment_id):
    case, attachment = _attachment(request, reference, attachment_id, Action.EDIT)
    form = forms.AttachmentWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if save_or_form_error(form, lambda: services.attachment_withdraw(
                user=request.user, attachment=attachment, reason=form.cleaned_data["reason"])):
            messages.success(request, f"“{attachment.title}” withdrawn.")
            return redirect(attachment)
    return render(request, "cases/form.html", {"form": form, "case": case,
                                               "title": f"Withdraw “{attachment.title}”",
                                               "intro": "The file is kept, marked withdrawn with your name and the "
                                                        "reason; only the team leader can still open it."})

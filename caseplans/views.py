"""Pages of case plans. A view parses input, calls one selector or service, renders;
access is decided in cases/permissions.py (invisible case → 404, not allowed → 403)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from caseplans import forms, pdf, rules, selectors, services
from caseplans.models import AlternatePlan, PlanAction, PlanGoal, ProtectiveConcern, ReunificationPrognosis
from cases import selectors as case_selectors
from cases.models import AttachmentTarget
from cases.permissions import Action, can, get_case_or_404, records_in_case
from cases.services import CaseworkError
from casework.views import save_or_form_error

DASHBOARD_PAGE_SIZE = 100


def _plan(request, reference, version, action=Action.VIEW):
    get_case_or_404(request.user, reference, action)
    plan = selectors.plan_detail(request.user, reference, version)
    if plan is None:
        raise Http404("No such plan version.")
    return plan


def _form_page(request, plan_or_case, form, title, *, submit="Save", intro="", warnings=()):
    case = getattr(plan_or_case, "case", plan_or_case)
    plan = plan_or_case if plan_or_case is not case else None
    return render(request, "caseplans/form.html", {"form": form, "case": case, "plan": plan, "title": title,
                                                   "submit": submit, "intro": intro, "warnings": warnings,
                                                   "vague_phrases": "|".join(rules.VAGUE_PHRASES)})


def _editable_or_redirect(request, plan):
    problem = rules.edit_problem(plan.status)
    if problem:
        messages.error(request, problem)
        return redirect(plan)
    return None


# --- The plan --------------------------------------------------------------------------


def plan_start(request, reference):
    case = get_case_or_404(request.user, reference, Action.EDIT)
    form = forms.PlanForm(request.POST or None, case=case, user=request.user)
    if request.method == "POST" and form.is_valid():
        plan = save_or_form_error(form, lambda: services.plan_create(user=request.user, case=case,
                                                                 **form.service_data()))
        if plan:
            messages.success(request, "Draft case plan started. Add the concerns, goals and actions.")
            _warn_objectives(request, plan)
            return redirect(plan)
    return _form_page(request, case, form, "Start the case plan", submit="Start the draft")


def _warn_objectives(request, plan) -> None:
    """After saving: say which children's objectives do not fit their legal status (saved all the same)."""
    loaded = selectors.plan_detail(request.user, plan.case.reference, plan.version)
    for child in selectors.plan_children(loaded, today=timezone.localdate()):
        if child["objective"] and child["warning"]:
            messages.warning(request, f"{child['member'].person.given_name}: {child['warning']}")


def plan_detail(request, reference, version):
    plan = _plan(request, reference, version)
    case = plan.case
    today = timezone.localdate()
    can_edit = can(request.user, Action.EDIT, case)
    may_decide = plan.status == rules.SUBMITTED and can(request.user, Action.APPROVE, case)
    children = selectors.plan_children(plan, today=today)
    actions = [{"action": a, "warnings": rules.smart_warnings(rules.ActionFacts.of(a), today),
                "overdue": rules.is_overdue(a.due_on, a.completed_on, today)}
               for a in plan.actions.all() if a.withdrawn_on is None]
    complete = sum(1 for a in actions if a["action"].completed_on)
    overdue = sum(1 for a in actions if a["overdue"])
    return render(request, "caseplans/plan_detail.html", {
        "case": case, "plan": plan, "children": children, "actions": actions,
        "withdrawn": [a for a in plan.actions.all() if a.withdrawn_on is not None],
        "progress": rules.progress_summary(len(actions), complete, overdue),
        "can_edit": can_edit and plan.editable, "can_record": can_edit and plan.status in rules.EDITABLE | rules.IN_FORCE,
        "may_submit": can_edit and plan.status in rules.EDITABLE,
        "submit_problems": services.submit_problems(plan) if can_edit and plan.editable else [],
        "may_decide": may_decide,
        "open_warnings": services.smart_warnings_text(services.open_smart_warnings(plan, today)) if may_decide else [],
        "may_copy": can_edit and plan.status == rules.ENDORSED,
        "may_review": can_edit and plan.status in rules.IN_FORCE,
        "may_assess": can_edit and plan.status in rules.IN_FORCE | {rules.UNDER_REVIEW},
        "versions": selectors.case_versions(case),
        "return_form": forms.ReturnForm(), "endorse_form": forms.EndorseForm(),
        "attachments": case_selectors.attachments_of(case, target_kind=AttachmentTarget.PLAN, target_id=plan.pk),
        "can_attach": can_edit,
        "status_label": rules.STATUS_LABELS[plan.status],
        "concurrent": selectors.concurrent_rows(plan, today=today) if plan.previous_id else [],
        "may_decide_alternate": can(request.user, Action.APPROVE, case),
    })


def plan_edit(request, reference, version):
    plan = _plan(request, reference, version, Action.EDIT)
    refused = _editable_or_redirect(request, plan)
    if refused:
        return refused
    form = forms.PlanForm(request.POST or None, case=plan.case, user=request.user, instance=plan)
    if request.method == "POST" and form.is_valid():
        lock_version = form.cleaned_data.get("lock_version") or 0
        # The ModelForm has copied the input onto ``plan``; the service re-checks the stored row.
        if save_or_form_error(form, lambda: services.plan_update(user=request.user, plan=plan, lock_version=lock_version,
                                                             **form.service_data())):
            messages.success(request, "Plan saved.")
            _warn_objectives(request, plan)
            return redirect(plan)
    return _form_page(request, plan, form, f"Change the plan (version {plan.version})")


@require_POST
def plan_submit(request, reference, version):
    plan = _plan(request, reference, version, Action.EDIT)
    try:
        services.plan_submit(user=request.user, plan=plan)
        messages.success(request, "Plan submitted to the team leader for endorsement.")
    except CaseworkError as error:
        messages.error(request, str(error))
    return redirect(plan)


def _decide(request, reference, version, *, endorsing: bool):
    plan = _plan(request, reference, version)
    if not can(request.user, Action.APPROVE, plan.case):
        raise PermissionDenied("Only a team leader of the case's team endorses or returns a plan.")
    warnings = services.smart_warnings_text(services.open_smart_warnings(plan)) if endorsing else []
    form = forms.EndorseForm(request.POST or None, over_warnings=bool(warnings)) if endorsing else \
        forms.ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        write = services.plan_endorse if endorsing else services.plan_return
        if save_or_form_error(form, lambda: write(user=request.user, plan=plan, comment=form.cleaned_data["comment"])):
            messages.success(request, "Plan endorsed." if endorsing else "Plan returned to the caseworker with "
                                                                         "your comments.")
            return redirect(plan)
    return _form_page(request, plan, form, "Endorse the plan" if endorsing else "Return the plan with comments",
                      submit="Endorse" if endorsing else "Return with comments", warnings=warnings,
                      intro="Endorsing over these actions needs your reason, which is recorded with them."
                      if warnings else "")


def plan_endorse(request, reference, version):
    return _decide(request, reference, version, endorsing=True)


def plan_return(request, reference, version):
    return _decide(request, reference, version, endorsing=False)


def plan_copy(request, reference, version):
    plan = _plan(request, reference, version, Action.EDIT)
    if plan.status != rules.ENDORSED:
        messages.error(request, "A copy is recorded once, after the plan is endorsed." if plan.copy_provided_on is None
                       else "The copy of this plan was recorded already.")
        return redirect(plan)
    form = forms.CopyForm(request.POST or None, initial={"provided_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        if save_or_form_error(form, lambda: services.plan_copy_provided(user=request.user, plan=plan,
                                                                    **form.cleaned_data)):
            messages.success(request, "Copy to the child and parents recorded.")
            return redirect(plan)
    return _form_page(request, plan, form, "Record the copy given to the child and parents", submit="Record")


@require_POST
def plan_review(request, reference, version):
    plan = _plan(request, reference, version, Action.EDIT)
    try:
        new = services.plan_review_start(user=request.user, plan=plan)
    except CaseworkError as error:
        messages.error(request, str(error))
        return redirect(plan)
    messages.success(request, f"Review started: version {new.version} is a draft carrying forward the open goals "
                              "and actions.")
    return redirect(new)


def plan_pdf(request, reference, version):
    plan = _plan(request, reference, version)
    family = request.GET.get("copy") == "family"
    return pdf_response(plan, family=family)


def pdf_response(plan, *, family: bool) -> HttpResponse:
    response = HttpResponse(pdf.render_plan_pdf(plan, family=family), content_type="application/pdf")
    kind = "family-copy" if family else "full"
    response["Content-Disposition"] = f'attachment; filename="case-plan-{plan.case.reference}-v{plan.version}-{kind}.pdf"'
    return response


# --- Concerns, goals, actions ---------------------------------------------------------


def _with_lock(form, existing) -> dict:
    """The form's data for a service; changing an existing row sends the lock_version the form was opened
    with (a form posted without one counts as stale, so nothing is overwritten unseen)."""
    data = dict(form.cleaned_data)
    lock_version = data.pop("lock_version", None)
    if existing is not None:
        data["lock_version"] = lock_version or 0
    return data


def concern_form(request, reference, version, concern_id=None):
    plan = _plan(request, reference, version, Action.EDIT)
    refused = _editable_or_redirect(request, plan)
    if refused:
        return refused
    concern = get_object_or_404(ProtectiveConcern, plan=plan, pk=concern_id) if concern_id else None
    initial = {"text": concern.concern, "strengths": concern.strengths, "needs": concern.needs,
               "lock_version": concern.lock_version} if concern else {}
    form = forms.ConcernForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = _with_lock(form, concern)
        if save_or_form_error(form, lambda: services.concern_save(user=request.user, plan=plan, concern=concern, **data)):
            return redirect(plan)
    return _form_page(request, plan, form, "Change the concern" if concern else "Add a protective concern")


def goal_form(request, reference, version, goal_id=None):
    plan = _plan(request, reference, version, Action.EDIT)
    refused = _editable_or_redirect(request, plan)
    if refused:
        return refused
    goal = get_object_or_404(PlanGoal, plan=plan, pk=goal_id) if goal_id else None
    form = forms.GoalForm(request.POST or None, initial={"text": goal.text, "status": goal.status,
                                                         "lock_version": goal.lock_version} if goal else {})
    if request.method == "POST" and form.is_valid():
        data = _with_lock(form, goal)
        if save_or_form_error(form, lambda: services.goal_save(user=request.user, plan=plan, goal=goal, **data)):
            return redirect(plan)
    return _form_page(request, plan, form, "Change the goal" if goal else "Add a goal")


def action_form(request, reference, version, action_id=None):
    plan = _plan(request, reference, version, Action.EDIT)
    refused = _editable_or_redirect(request, plan)
    if refused:
        return refused
    action = get_object_or_404(PlanAction, plan=plan, pk=action_id) if action_id else None
    form = forms.ActionForm(request.POST or None, plan=plan, user=request.user, instance=action)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        if action is None:
            saved = save_or_form_error(form, lambda: services.action_add(user=request.user, plan=plan, **data))
        else:
            saved = save_or_form_error(form, lambda: services.action_update(
                user=request.user, action=action, lock_version=form.cleaned_data.get("lock_version") or 0, **data))
        if saved:
            warnings = rules.smart_warnings(rules.ActionFacts.of(saved), timezone.localdate())
            if warnings:
                messages.warning(request, "Action saved, but it is not yet SMART: " + " ".join(warnings))
            else:
                messages.success(request, "Action saved.")
            return redirect(plan)
    warnings = (rules.smart_warnings(rules.ActionFacts.of(action), timezone.localdate())
                if action and request.method == "GET" else ())
    return _form_page(request, plan, form, "Change the action" if action else "Add an action", warnings=warnings,
                      intro="Each action says what will be done, who is responsible, by when, and how everyone "
                            "will know it is done.")


def action_complete(request, reference, version, action_id):
    plan = _plan(request, reference, version, Action.EDIT)
    action = get_object_or_404(PlanAction, plan=plan, pk=action_id)
    form = forms.CompleteForm(request.POST or None, initial={
        "lock_version": action.lock_version, "completed_on": action.completed_on or timezone.localdate(),
        "progress_note": action.progress_note})
    if request.method == "POST" and form.is_valid():
        if save_or_form_error(form, lambda: services.action_complete(user=request.user, action=action,
                                                                 **form.cleaned_data)):
            messages.success(request, "Progress recorded.")
            return redirect(plan)
    return _form_page(request, plan, form, "Record progress on an action", intro=action.what, submit="Record")


def action_withdraw(request, reference, version, action_id):
    plan = _plan(request, reference, version, Action.EDIT)
    refused = _editable_or_redirect(request, plan)
    if refused:
        return refused
    action = get_object_or_404(PlanAction, plan=plan, pk=action_id)
    form = forms.WithdrawForm(request.POST or None, initial={"lock_version": action.lock_version})
    if request.method == "POST" and form.is_valid():
        if save_or_form_error(form, lambda: services.action_withdraw(user=request.user, action=action,
                                                                     **form.cleaned_data)):
            messages.success(request, "Action withdrawn from this version. It is listed under the table.")
            return redirect(plan)
    return _form_page(request, plan, form, "Withdraw an action from the plan", intro=action.what, submit="Withdraw")


@require_POST
def action_reinstate(request, reference, version, action_id):
    plan = _plan(request, reference, version, Action.EDIT)
    action = get_object_or_404(PlanAction, plan=plan, pk=action_id)
    try:
        services.action_reinstate(user=request.user, action=action,
                                  lock_version=int(request.POST.get("lock_version") or 0))
        messages.success(request, "Action put back in the table.")
    except (CaseworkError, ValueError) as error:
        messages.error(request, str(error) if isinstance(error, CaseworkError) else "Open the plan again and retry.")
    return redirect(plan)


def goal_review(request, reference, version, goal_id):
    plan = _plan(request, reference, version, Action.EDIT)
    goal = get_object_or_404(PlanGoal, plan=plan, pk=goal_id)
    existing = getattr(goal, "review", None)
    initial = {"progress": existing.progress, "evidence": existing.evidence,
               "recommendation": existing.recommendation} if existing else {}
    form = forms.GoalReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if save_or_form_error(form, lambda: services.goal_review_record(user=request.user, goal=goal,
                                                                    **form.cleaned_data)):
            messages.success(request, "Progress towards the goal recorded.")
            return redirect(plan)
    return _form_page(request, plan, form, "Assess progress towards a goal", intro=goal.text, submit="Record")


# --- Team leader's page -----------------------------------------------------------------


def leader_dashboard(request):
    if not selectors.is_team_leader(request.user):
        raise PermissionDenied("This page is for team leaders.")
    rows = selectors.leader_dashboard(request.user)
    summary = {
        "awaiting": sum(1 for r in rows if r.awaiting_endorsement),
        "overdue": sum(1 for r in rows if any(f.status == rules.OVERDUE for f in r.timeframes)),
        "due_soon": sum(1 for r in rows if any(f.status == rules.DUE_SOON for f in r.timeframes)),
        "actions_overdue": sum(1 for r in rows if r.overdue_actions),
        "actions_due_soon": sum(1 for r in rows if r.due_soon_actions),
    }
    return render(request, "caseplans/dashboard.html", {
        "page": Paginator(rows, DASHBOARD_PAGE_SIZE).get_page(request.GET.get("page")), "summary": summary,
        "today": timezone.localdate()})


# --- Concurrent planning --------------------------------------------------------------


def prognosis_record(request, reference, version, member_id):
    plan = _plan(request, reference, version, Action.EDIT)
    member = records_in_case(request.user, plan.case, "child").select_related("person").filter(pk=member_id).first()
    if member is None:
        raise Http404("No such child in this case.")
    existing = ReunificationPrognosis.objects.filter(plan=plan, member=member).first()
    form = forms.PrognosisForm(request.POST or None, initial={"prognosis": existing.prognosis,
                                                              "reasons": existing.reasons} if existing else {})
    if request.method == "POST" and form.is_valid():
        saved = save_or_form_error(form, lambda: services.prognosis_record(user=request.user, plan=plan, member=member,
                                                                           **form.cleaned_data))
        if saved:
            messages.success(request, "Prognosis for reunification recorded."
                             + (" Record the alternate permanent plan." if saved.prognosis == rules.POOR else ""))
            return redirect(f"{plan.get_absolute_url()}#concurrent")
    return _form_page(request, plan, form, f"Prognosis for reunification: {member.person.given_name}",
                      submit="Record", intro="Concurrent planning: at each review of a child in care, how likely is "
                                             "their safe return home, and why.")


def alternate_plan_record(request, reference, version, member_id):
    plan = _plan(request, reference, version, Action.EDIT)
    prognosis = get_object_or_404(ReunificationPrognosis.objects.select_related("member__person"), plan=plan,
                                  member_id=member_id)
    existing = getattr(prognosis, "alternate", None)
    initial = {k: getattr(existing, k) for k in ("with_whom", "legal_path", "people_searched", "people_assessed")} \
        if existing else {}
    form = forms.AlternatePlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if save_or_form_error(form, lambda: services.alternate_plan_record(user=request.user, prognosis=prognosis,
                                                                           **form.cleaned_data)):
            messages.success(request, "Alternate permanent plan recorded; it now needs the team leader's endorsement.")
            return redirect(f"{plan.get_absolute_url()}#concurrent")
    return _form_page(request, plan, form, f"Alternate permanent plan: {prognosis.member.person.given_name}",
                      submit="Record", intro="The prognosis for reunification is poor: the plan for a permanent home "
                                             "if the child cannot return, worked on at the same time.")


def alternate_plan_decide(request, reference, version, member_id):
    plan = _plan(request, reference, version)
    alternate = get_object_or_404(AlternatePlan.objects.select_related("prognosis__member__person"),
                                  prognosis__plan=plan, prognosis__member_id=member_id)
    if not can(request.user, Action.APPROVE, plan.case):
        raise PermissionDenied("Only a team leader of the case's team endorses an alternate plan.")
    form = forms.AlternateDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        endorse = form.cleaned_data["decision"] == "endorse"
        if save_or_form_error(form, lambda: services.alternate_plan_decide(
                user=request.user, alternate=alternate, endorse=endorse, comment=form.cleaned_data["comment"])):
            messages.success(request, "Alternate plan endorsed." if endorse else "Alternate plan returned.")
            return redirect(f"{plan.get_absolute_url()}#concurrent")
    return _form_page(request, plan, form, f"Endorse the alternate plan: {alternate.prognosis.member.person.given_name}",
                      submit="Decide", intro=f"With {alternate.with_whom}, by {alternate.get_legal_path_display()}. "
                                             f"Searched: {alternate.people_searched} Assessed: {alternate.people_assessed}")

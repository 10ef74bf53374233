"""Pages of the service directory and of referrals. A view parses input, calls one
selector or service, renders; access is decided in cases/permissions.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cases import selectors as case_selectors
from cases.models import AttachmentTarget
from cases.permissions import Action, can, get_case_or_404
from cases.services import CaseworkError
from casework.views import save_or_form_error
from services import forms, rules, selectors, services
from services.models import CostApproval, Referral

# --- Directory -------------------------------------------------------------------------------


def directory(request):
    form = forms.DirectorySearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = selectors.directory_search(service_type=data.get("service_type", ""), area=data.get("area", ""),
                                      text=data.get("q", ""))
    return render(request, "services/directory.html", {
        "form": form, "page": Paginator(rows, 50).get_page(request.GET.get("page")),
        "may_manage": services.may_manage_directory(request.user),
    })


def provider_detail(request, provider_id):
    provider = selectors.provider_detail(provider_id)
    if provider is None:
        raise Http404("No such provider.")
    return render(request, "services/provider_detail.html", {
        "provider": provider, "may_manage": services.may_manage_directory(request.user),
    })


# --- Referrals -------------------------------------------------------------------------------


def _referral(request, reference, referral_id, action=Action.VIEW):
    """The referral of a case the user may see (404 otherwise) and may ``action`` (403 otherwise)."""
    case = get_case_or_404(request.user, reference, action)
    referral = get_object_or_404(Referral.objects.select_related("service__provider", "case"), case=case,
                                 pk=referral_id)
    return case, referral


def referral_create(request, reference):
    case = get_case_or_404(request.user, reference, Action.EDIT)
    form = forms.ReferralForm(request.POST or None, case=case, user=request.user, initial={"service": request.GET.get("service")})
    if request.method == "POST" and form.is_valid():
        referral = save_or_form_error(form, lambda: services.referral_create(user=request.user, case=case,
                                                                          **form.cleaned_data))
        if referral:
            messages.success(request, f"Draft referral to {referral.service.provider} saved.")
            return redirect("services:referral_detail", case.reference, referral.pk)
    return render(request, "services/form.html", {"form": form, "case": case, "title": "Refer to a service",
                                                  "submit": "Save draft"})


def _referral_form(request, case, referral, form, write, *, success: str, title: str, submit: str = "Save",
                   intro: str = "", refused: str = ""):
    """The pages that change a referral: validate, call one service, back to the referral."""
    if request.method == "POST" and form.is_valid():
        if save_or_form_error(form, lambda: write(**form.cleaned_data)):
            messages.success(request, success)
            return redirect("services:referral_detail", case.reference, referral.pk)
    return render(request, "services/form.html", {"form": form, "case": case, "referral": referral, "title": title,
                                                  "submit": submit, "intro": intro,
                                                  "refused": refused if request.method == "GET" else ""})


def referral_edit(request, reference, referral_id):
    case, referral = _referral(request, reference, referral_id, Action.EDIT)
    if referral.status != rules.DRAFT:
        messages.error(request, "Only a draft referral can be changed; it has been sent already.")
        return redirect("services:referral_detail", case.reference, referral.pk)
    initial = {"service": referral.service, "people": list(referral.people.all()), "reason": referral.reason,
               "self_referral": referral.self_referral, "self_referred_by": referral.self_referred_by,
               "support_given": referral.support_given, "plan_action": referral.plan_action}
    form = forms.ReferralForm(request.POST or None, case=case, user=request.user, initial=initial, record=referral)
    return _referral_form(request, case, referral, form,
                          lambda **data: services.referral_update(user=request.user, referral=referral, **data),
                          success="Referral updated.", title="Change the draft referral")


def referral_detail(request, reference, referral_id):
    get_case_or_404(request.user, reference, Action.VIEW)
    referral = selectors.referral_detail(request.user, reference, referral_id)
    if referral is None:
        raise Http404("No such referral.")
    can_edit = can(request.user, Action.EDIT, referral.case)
    approvals = list(referral.cost_approvals.all())
    latest = approvals[0] if approvals else None
    plan = getattr(referral, "communication_plan", None)
    return render(request, "services/referral_detail.html", {
        "case": referral.case, "referral": referral, "can_edit": can_edit,
        "actions": [(target, rules.ACTION_LABELS[target]) for target in rules.TRANSITIONS[referral.status]]
        if can_edit else [],
        "approvals": approvals, "latest_approval": latest,
        "send_blockers": rules.cost_problems(referral.service.costs_money, latest.status if latest else None)
        if referral.status == rules.DRAFT else [],
        "may_request_cost": can_edit and referral.status == rules.DRAFT and referral.service.costs_money
        and (latest is None or latest.status == rules.DECLINED),
        "plan": plan, "may_plan": can_edit and referral.status in rules.PLAN_STATUSES,
        "may_update": can_edit and referral.status in rules.PLAN_STATUSES | {rules.COMPLETED},
        "may_decide": latest is not None and latest.status == rules.PENDING
        and selectors.is_financial_delegate(request.user)
        and request.user.pk not in (latest.requested_by_id, referral.created_by_id),
        "decision_form": forms.CostDecisionForm(),
        "attachments": case_selectors.attachments_of(referral.case, target_kind=AttachmentTarget.REFERRAL,
                                                     target_id=referral.pk),
    })


def referral_transition(request, reference, referral_id, target):
    case, referral = _referral(request, reference, referral_id, Action.EDIT)
    if target not in rules.STATUS_LABELS or target == rules.DRAFT:
        raise Http404
    form = forms.TransitionForm(request.POST or None, target=target, referral=referral)
    refused = ""
    if target not in rules.TRANSITIONS[referral.status]:
        # Say straight away why the step is not possible, rather than after the form is filled in.
        today = form.fields["on"].initial
        refused = rules.transition_problems(target, rules.TransitionFacts(
            status=referral.status, on=today, today=today, last_change_on=today))[0]
    return _referral_form(
        request, case, referral, form,
        lambda on, note="", alternatives="": services.referral_transition(
            user=request.user, referral=referral, to_status=target, on=on, note=note, alternatives=alternatives),
        success=f"Referral is now {rules.label(target).lower()}.", submit=rules.ACTION_LABELS.get(target, "Save"),
        title=f"{rules.ACTION_LABELS.get(target, rules.label(target))}: {referral.service}", refused=refused)


def cost_request(request, reference, referral_id):
    case, referral = _referral(request, reference, referral_id, Action.EDIT)
    form = forms.CostRequestForm(request.POST or None, initial={
        "cost_per_session": referral.service.cost_per_session, "sessions": 6})
    return _referral_form(
        request, case, referral, form,
        lambda **data: services.referral_cost_request(user=request.user, referral=referral, **data),
        success="Cost confirmed and sent to a financial delegate for approval.", submit="Ask for payment approval",
        title=f"Confirm the cost: {referral.service}",
        intro=f"The directory lists ${referral.service.cost_per_session} a session. Confirm the cost with the "
              f"provider; a financial delegate approves the payment before the referral is sent.")


def approvals(request):
    if not selectors.is_financial_delegate(request.user):
        # Not secret: say who can approve instead of pretending the page does not exist.
        return render(request, "services/approvals_refused.html",
                      {"delegates": selectors.financial_delegates()}, status=403)
    return render(request, "services/approvals.html", {
        "approvals": selectors.pending_cost_approvals(request.user), "form": forms.CostDecisionForm(),
    })


@require_POST
def cost_decide(request, approval_id):
    approval = get_object_or_404(CostApproval.objects.select_related("referral__case"), pk=approval_id)
    case = get_case_or_404(request.user, approval.referral.case.reference, Action.VIEW)
    if not selectors.is_financial_delegate(request.user):
        raise Http404
    form = forms.CostDecisionForm(request.POST)
    back = request.POST.get("next") == "referral"
    target = redirect("services:referral_detail", case.reference, approval.referral_id) if back \
        else redirect("services:approvals")
    if not form.is_valid():
        messages.error(request, "Choose approve or decline.")
        return target
    try:
        services.referral_cost_decide(user=request.user, approval=approval,
                                      approve=form.cleaned_data["decision"] == "approve",
                                      comment=form.cleaned_data["comment"])
    except CaseworkError as error:
        messages.error(request, f"{case.reference}: {error}")
    else:
        approval.refresh_from_db()
        messages.success(request, f"{case.reference}: payment {approval.get_status_display().lower()}.")
    return target


def family_information(request, reference, referral_id):
    case, referral = _referral(request, reference, referral_id, Action.EDIT)
    how = referral.service.how_to_refer
    return _referral_form(
        request, case, referral, forms.FamilyInformationForm(request.POST or None, case=case, user=request.user),
        lambda **data: services.family_information_record(user=request.user, referral=referral, **data),
        success="Information given to the family recorded.",
        title=f"Information given to the family: {referral.service}",
        intro=f"How to refer / access: {how}" if how else "")


def communication_plan(request, reference, referral_id):
    case, referral = _referral(request, reference, referral_id, Action.EDIT)
    plan = getattr(referral, "communication_plan", None)
    return _referral_form(
        request, case, referral, forms.CommunicationPlanForm(request.POST or None, instance=plan, referral=referral),
        lambda **data: services.communication_plan_save(user=request.user, referral=referral, **data),
        success="Communication plan saved.", submit="Save plan", title=f"Communication plan: {referral.service}")


def provider_update(request, reference, referral_id):
    case, referral = _referral(request, reference, referral_id, Action.EDIT)
    return _referral_form(
        request, case, referral, forms.ProviderUpdateForm(request.POST or None),
        lambda **data: services.provider_update_record(user=request.user, referral=referral, **data),
        success="Update from the provider recorded.", submit="Save update",
        title=f"Update from {referral.service.provider}")


def alternatives(request, reference, referral_id):
    case, referral = _referral(request, reference, referral_id, Action.EDIT)
    form = forms.AlternativesForm(request.POST or None, initial={"alternatives": referral.alternatives_considered})
    return _referral_form(
        request, case, referral, form,
        lambda **data: services.referral_alternatives_record(user=request.user, referral=referral, **data),
        success="Alternatives recorded.", title=f"Alternatives to {referral.service}")

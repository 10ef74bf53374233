"""Pages of responding to new information. A view parses input, calls one selector or
service, renders; access is decided in cases/permissions.py (invisible 404, not allowed 403)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from cases import selectors as case_selectors
from cases.models import AttachmentTarget
from cases.permissions import (
    Action,
    can,
    get_case_or_404,
    may_read_inbound,
    may_review_inbound,
    record_in_case,
    visible_cases,
)
from casework.views import save_or_form_error
from responses import forms, rules, selectors, services
from responses.models import InboundStatus, Recommendation, SafetyPlan
from services import rules as referral_rules


def _form_page(request, case, form, write, *, success: str, title: str, submit: str = "Save", intro: str = "",
               back: str = "", template: str = "responses/form.html", extra: dict | None = None):
    """Validate, call one service, then back to ``back`` (the case page by default)."""
    if request.method == "POST" and form.is_valid():
        if save_or_form_error(form, lambda: write(**form.cleaned_data)) is not None:
            messages.success(request, success)
            return redirect(back or case.get_absolute_url())
    return render(request, template, {"form": form, "case": case, "title": title, "submit": submit,
                                      "intro": intro, "back": back or case.get_absolute_url(), **(extra or {})},
                  status=400 if request.method == "POST" else 200)


def _person(request, case, person_id):
    return record_in_case(request.user, case, "person", person_id) if person_id else None


# --- Record alerts ---------------------------------------------------------------------------


def record_alert_create(request, reference):
    case = get_case_or_404(request.user, reference, Action.EDIT)
    form = forms.RecordAlertForm(request.POST or None, case=case, user=request.user)

    def write(about, **data):
        return services.record_alert_create(user=request.user, case=case, person=_person(request, case, about), **data)

    return _form_page(request, case, form, write, success="Alert recorded.", title="Record an alert")


def _record_alert(request, reference, alert_id):
    case = get_case_or_404(request.user, reference, Action.EDIT)
    alerts = {a.pk: a for a in selectors.record_alerts_of_case(case)}
    if alert_id not in alerts:
        raise Http404("No such alert.")
    return case, alerts[alert_id]


def record_alert_end(request, reference, alert_id):
    case, alert = _record_alert(request, reference, alert_id)
    form = forms.RecordAlertEndForm(request.POST or None, record=alert)
    return _form_page(request, case, form,
                      lambda **data: services.record_alert_end(user=request.user, alert=alert, case=case, **data),
                      success="Alert ended.", title="End the alert", submit="End alert",
                      extra={"alert": alert})


def record_alert_review(request, reference, alert_id):
    case, alert = _record_alert(request, reference, alert_id)
    form = forms.RecordAlertReviewForm(request.POST if request.method == "POST" else None, initial={"details": alert.details},
                                        record=alert)
    return _form_page(request, case, form,
                      lambda **data: services.record_alert_review(user=request.user, alert=alert, case=case, **data),
                      success="Alert reviewed.", title="Review the alert", extra={"alert": alert})


def record_alert_history(request, reference):
    case = get_case_or_404(request.user, reference, Action.VIEW)
    return render(request, "responses/record_alert_history.html", {
        "case": case, "alerts": selectors.record_alerts_of_case(case, include_ended=True)})


# --- Responses -------------------------------------------------------------------------------


def response_create(request, reference):
    case = get_case_or_404(request.user, reference, Action.EDIT)
    form = forms.ResponseForm(request.POST or None, case=case, user=request.user)

    def write(person, received_at, **data):
        response = services.response_record(user=request.user, case=case, person=_person(request, case, person),
                                            received_at=received_at, **data)
        form.saved = response
        return response

    page = _form_page(request, case, form, write, success="Information recorded; respond through the steps below.",
                      title="Record a new concern or court alert")
    if getattr(form, "saved", None):
        return redirect("responses:response_detail", case.reference, form.saved.pk)
    return page


def response_detail(request, reference, response_id):
    case = get_case_or_404(request.user, reference, Action.VIEW)
    response = selectors.response_detail(request.user, reference, response_id)
    if response is None:
        raise Http404("No such response.")
    steps = list(response.steps.all())
    done = {s.code for s in steps if s.done_at}
    return render(request, "responses/response_detail.html", {
        "case": case, "response": response, "steps": steps, "now": timezone.now(),
        "can_edit": can(request.user, Action.EDIT, case),
        "ready": {s.code for s in steps if not s.done_at and rules.PREREQUISITE[s.code] in (None, *done)},
        "needs_note": rules.NEEDS_NOTE, "by_assessment": rules.TICKED_BY_ASSESSMENT,
        "step_form": forms.StepForm(),
        "attachments": case_selectors.attachments_of(case, target_kind=AttachmentTarget.RESPONSE, target_id=response.pk),
    })


def response_step(request, reference, response_id, code):
    case = get_case_or_404(request.user, reference, Action.EDIT)
    response = selectors.response_detail(request.user, reference, response_id)
    if response is None or code not in rules.STEPS:
        raise Http404("No such step.")
    form = forms.StepForm(request.POST if request.method == "POST" else None)
    back = f"/responses/cases/{case.reference}/responses/{response.pk}/"
    return _form_page(request, case, form,
                      lambda **data: services.response_step_complete(user=request.user, response=response, code=code,
                                                                     **data),
                      success=f"“{rules.LABELS[code]}” done.", title=rules.LABELS[code], submit="Mark as done",
                      back=back, extra={"response": response, "code": code})


# --- Safety assessments and plans ------------------------------------------------------------


def safety_assessment_create(request, reference):
    case = get_case_or_404(request.user, reference, Action.EDIT)
    response = None
    if request.GET.get("response"):
        response = selectors.response_detail(request.user, reference, int(request.GET["response"])
                                              if request.GET["response"].isdigit() else 0)
        if response is None:
            raise Http404("No such response.")
    form = forms.SafetyAssessmentForm(request.POST or None)
    back = f"/responses/cases/{case.reference}/responses/{response.pk}/" if response else ""
    return _form_page(request, case, form,
                      lambda **data: services.safety_assessment_record(user=request.user, case=case,
                                                                       response=response, **data),
                      success="Safety assessment recorded.", title="Complete a safety assessment", back=back,
                      extra={"response": response})


def safety_plan_create(request, reference):
    case = get_case_or_404(request.user, reference, Action.EDIT)
    form = forms.SafetyPlanForm(request.POST or None)
    assessment = case.safety_assessments.order_by("-completed_on", "-pk").first()
    return _form_page(request, case, form,
                      lambda **data: services.safety_plan_submit(user=request.user, case=case, assessment=assessment,
                                                                 **data),
                      success="Safety plan documented; it awaits a team leader's approval before it is implemented.",
                      title="Document a new or changed safety plan", submit="Submit for approval",
                      intro="A team leader approves the plan before it is implemented. Document it by the next "
                            "working day after it was developed with the family.")


def _plan(request, reference, plan_id, action=Action.VIEW):
    case = get_case_or_404(request.user, reference, action)
    return case, get_object_or_404(SafetyPlan.objects.select_related("submitted_by", "decided_by"), case=case,
                                   pk=plan_id)


def safety_plan_detail(request, reference, plan_id):
    case, plan = _plan(request, reference, plan_id)
    return render(request, "responses/safety_plan_detail.html", {
        "case": case, "plan": plan,
        "may_decide": plan.status == "pending" and can(request.user, Action.APPROVE, case)
        and plan.submitted_by_id != request.user.pk,
        "form": forms.DecideForm()})


def safety_plan_decide(request, reference, plan_id):
    case, plan = _plan(request, reference, plan_id, Action.APPROVE)
    form = forms.DecideForm(request.POST or None)
    return _form_page(request, case, form,
                      lambda decision, comment: services.safety_plan_decide(
                          user=request.user, plan=plan, approve=decision == "approve", comment=comment),
                      success="Decision recorded.", title="Approve or return the safety plan",
                      back=f"/responses/cases/{case.reference}/safety-plans/{plan.pk}/", extra={"plan": plan})


def no_increase(request, reference, plan_id):
    """A team leader records why a safety plan for a child's return home needs no more contact."""
    case, plan = _plan(request, reference, plan_id, Action.APPROVE)
    month = timezone.localdate().replace(day=1)
    form = forms.NoIncreaseForm(request.POST or None)
    return _form_page(request, case, form,
                      lambda reason: services.no_increase_record(user=request.user, plan=plan, reason=reason),
                      success="Recorded that no increase of contact is needed.",
                      title="Record that no increase of contact is needed",
                      back=reverse("contacts:month", args=[case.reference, f"{month:%Y-%m}"]))


# --- Reviews ---------------------------------------------------------------------------------


def supervision_review_create(request, reference):
    case = get_case_or_404(request.user, reference, Action.APPROVE)
    form = forms.SupervisionReviewForm(request.POST or None)
    return _form_page(request, case, form,
                      lambda **data: services.supervision_review_record(user=request.user, case=case, **data),
                      success="Supervision review recorded.", title="Record a supervision review")


def formal_review_create(request, reference):
    case = get_case_or_404(request.user, reference, Action.EDIT)
    form = forms.FormalReviewForm(request.POST or None)
    return _form_page(request, case, form,
                      lambda **data: services.formal_review_record(user=request.user, case=case, **data),
                      success="Formal case review recorded.", title="Record a formal case review")


def reviews(request, reference):
    case = get_case_or_404(request.user, reference, Action.VIEW)
    return render(request, "responses/reviews.html", {
        "case": case, "supervision": case.supervision_reviews.select_related("recorded_by"),
        "formal": case.formal_reviews.select_related("recorded_by"),
        "assessments": case.safety_assessments.select_related("recorded_by"),
        "plans": case.safety_plans.select_related("submitted_by", "decided_by")})


# --- Closure and protection applications -------------------------------------------------------


def recommendation_create(request, reference):
    case = get_case_or_404(request.user, reference, Action.EDIT)
    form = forms.RecommendationForm(request.POST or None)
    return _form_page(request, case, form,
                      lambda **data: services.recommendation_make(user=request.user, case=case, **data),
                      success="Recommendation sent to the team leader.",
                      title="Recommend closing the case or a protection application", submit="Send for endorsement")


def recommendation_decide(request, reference, recommendation_id):
    case = get_case_or_404(request.user, reference, Action.APPROVE)
    recommendation = get_object_or_404(Recommendation.objects.select_related("recommended_by"), case=case,
                                       pk=recommendation_id)
    form = forms.DecideForm(request.POST or None)
    return _form_page(request, case, form,
                      lambda decision, comment: services.recommendation_decide(
                          user=request.user, recommendation=recommendation, endorse=decision == "approve",
                          comment=comment),
                      success="Decision recorded.", title="Endorse or return the recommendation",
                      template="responses/recommendation_decide.html", extra={"recommendation": recommendation})


def case_close(request, reference):
    case = get_case_or_404(request.user, reference, Action.EDIT)
    recommendation = services.endorsed_closure(case)
    form = forms.CloseForm(request.POST or None)
    return _form_page(request, case, form,
                      lambda **data: services.case_close(user=request.user, case=case, **data),
                      success=f"Case {case.reference} closed.", title=f"Close case {case.reference}",
                      submit="Close the case", template="responses/close.html",
                      extra={"recommendation": recommendation,
                             "planned_visits": case.scheduled_visits.filter(status="planned").count(),
                             "open_referrals": case.referrals.filter(status__in=referral_rules.OPEN).count()})


# --- Team leader's page and inbound messages -------------------------------------------------------


def due(request):
    if request.user.role not in ("team_leader", "manager"):
        raise PermissionDenied("This page is for team leaders and managers.")
    return render(request, "responses/due.html", selectors.due_page(request.user))


def _reader(request):
    if not may_read_inbound(request.user):
        raise PermissionDenied("Only team leaders and managers read inbound messages.")


def inbound(request):
    _reader(request)
    status = request.GET.get("status", InboundStatus.NEEDS_REVIEW)
    status = status if status in InboundStatus.values or status == "" else InboundStatus.NEEDS_REVIEW
    return render(request, "responses/inbound.html", {
        "page": Paginator(selectors.inbound_list(request.user, status), 50).get_page(request.GET.get("page")),
        "status": status, "statuses": InboundStatus.choices})


def inbound_detail(request, message_id):
    _reader(request)
    message = get_object_or_404(selectors.inbound_list(request.user), pk=message_id)
    may_review = may_review_inbound(request.user)
    if request.method == "POST" and not may_review:
        raise PermissionDenied("Only team leaders match or dismiss inbound messages.")
    payload = message.payload if isinstance(message.payload, dict) else {}
    resolve = forms.InboundResolveForm(request.POST if request.POST.get("action") == "resolve" else None, initial={
        "case_reference": payload.get("case_reference", ""), "kind": payload.get("kind", ""),
        "summary": str(payload.get("summary", ""))[:200]})
    dismiss = forms.InboundDismissForm(request.POST if request.POST.get("action") == "dismiss" else None)
    if request.method == "POST" and resolve.is_bound and resolve.is_valid():
        data = resolve.cleaned_data
        # Matching names a case, and a person of it: both resolve among what the reviewer may see
        # (one they may not see answers like one that does not exist).
        case = visible_cases(request.user).filter(reference=data["case_reference"].strip()).first()
        person = _person(request, case, data["person_id"])
        if case is None:
            resolve.add_error("case_reference", "No such case among the cases you may see.")
        elif data["person_id"] and person is None:
            resolve.add_error("person_id", "No such person in that case.")
        elif save_or_form_error(resolve, lambda: services.inbound_message_resolve(
                user=request.user, message=message, case=case, kind=data["kind"], person=person,
                summary=data["summary"], note=data["note"])):
            messages.success(request, f"Message matched to case {case.reference}; the response has started.")
            return redirect("responses:inbound")
    if request.method == "POST" and dismiss.is_bound and dismiss.is_valid():
        if save_or_form_error(dismiss, lambda: services.inbound_message_dismiss(user=request.user, message=message,
                                                                             note=dismiss.cleaned_data["note"])):
            messages.success(request, "Message dismissed; it stays on record.")
            return redirect("responses:inbound")
    return render(request, "responses/inbound_detail.html", {
        "message": message, "resolve": resolve, "dismiss": dismiss,
        "open": may_review and message.status == InboundStatus.NEEDS_REVIEW},
        status=400 if request.method == "POST" else 200)

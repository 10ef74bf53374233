"""REST endpoints of case plans: the same rules as the pages.

Plans (each row one version) and actions are listed from the cases the user may see (others
answer 404); writes need EDIT on the case (403 when visible but not allowed). Endorsing and
returning are for a team leader of the case's team only (403 otherwise); domain refusals answer
400 with the reason and nothing changed. A stale ``lock_version`` answers 409."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from caseplans import selectors, services
from caseplans.api import serializers
from caseplans.models import AlternatePlan, CasePlan, ReunificationPrognosis
from cases.api.versioning import domain_errors, require_lock_version
from cases.api.views import VisibleCasesContextMixin
from cases.errors import CaseworkError
from cases.permissions import Action, can, require

_write = domain_errors


PLAN_WRITABLE = [*services.PLAN_FIELDS, "objectives"]


class CasePlanViewSet(VisibleCasesContextMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Every version of the plans of the cases you may see. PATCH needs ``lock_version``."""

    filterset_fields = ["status", "case__reference", "version"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.plan_list(self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return serializers.CasePlanCreateSerializer
        return {"endorse": serializers.CommentSerializer, "return_plan": serializers.CommentSerializer,
                "copy_provided": serializers.CopySerializer, "add_concern": serializers.ConcernSerializer,
                "add_goal": serializers.GoalSerializer, "change_concern": serializers.ConcernSerializer,
                "change_goal": serializers.GoalSerializer}.get(self.action, serializers.CasePlanSerializer)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        case = data.pop("case")
        require(self.request.user, Action.EDIT, case)
        serializer.instance = _write(lambda: services.plan_create(
            user=self.request.user, case=case, **{k: v for k, v in data.items() if k in PLAN_WRITABLE}))

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("lock_version", None)
        lock_version = require_lock_version(self.request.data)
        plan = CasePlan.objects.get(pk=serializer.instance.pk)
        serializer.instance = _write(lambda: services.plan_update(
            user=self.request.user, plan=plan, lock_version=lock_version,
            **{k: v for k, v in data.items() if k in PLAN_WRITABLE}))

    def _transition(self, request, write, body=None):
        """Resolve the plan first (one the user may not see answers 404 before its body is
        read, as a missing one does), then validate ``body`` and write."""
        plan = self.get_object()
        data = {}
        if body is not None:
            serializer = body(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        plan = _write(lambda: write(plan, data))
        return Response(serializers.CasePlanSerializer(selectors.plan_list(request.user).get(pk=plan.pk),
                                                       context=self.get_serializer_context()).data)

    def _require_leader(self, plan):
        if not can(self.request.user, Action.APPROVE, plan.case):
            raise PermissionDenied("Only a team leader of the case's team endorses or returns a plan.")

    def get_object(self):
        # Endorse/return are POSTs by team leaders: the EDIT check of CaseAccessPermission does not apply.
        if self.action in ("endorse", "return_plan", "pdf", "versions", "alternate_decide"):
            plan = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
            if self.action in ("endorse", "return_plan", "alternate_decide"):
                self._require_leader(plan)
            return plan
        return super().get_object()

    @extend_schema(request=None, responses=serializers.CasePlanSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._transition(request, lambda plan, data: services.plan_submit(user=request.user, plan=plan))

    @extend_schema(request=serializers.CommentSerializer, responses=serializers.CasePlanSerializer)
    @action(detail=True, methods=["post"])
    def endorse(self, request, pk=None):
        return self._transition(request, lambda plan, data: services.plan_endorse(
            user=request.user, plan=plan, comment=data["comment"]), serializers.CommentSerializer)

    @extend_schema(request=serializers.CommentSerializer, responses=serializers.CasePlanSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_plan(self, request, pk=None):
        return self._transition(request, lambda plan, data: services.plan_return(
            user=request.user, plan=plan, comment=data["comment"]), serializers.CommentSerializer)

    @extend_schema(request=serializers.CopySerializer, responses=serializers.CasePlanSerializer)
    @action(detail=True, methods=["post"], url_path="copy-provided")
    def copy_provided(self, request, pk=None):
        return self._transition(request, lambda plan, data: services.plan_copy_provided(
            user=request.user, plan=plan, **data), serializers.CopySerializer)

    @extend_schema(request=None, responses=serializers.CasePlanSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Start a review: answers the new draft version."""
        return self._transition(request, lambda plan, data: services.plan_review_start(user=request.user, plan=plan))

    @extend_schema(request=serializers.ConcernSerializer, responses={201: serializers.ConcernSerializer})
    @action(detail=True, methods=["post"], url_path="concerns")
    def add_concern(self, request, pk=None):
        """Add a protective concern (with the family's strengths and needs) to a draft."""
        plan = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        saved = _write(lambda: services.concern_save(user=request.user, plan=plan, text=data["concern"],
                                                     strengths=data.get("strengths", ""), needs=data.get("needs", "")))
        return Response(serializers.ConcernSerializer(saved).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.GoalSerializer, responses={201: serializers.GoalSerializer})
    @action(detail=True, methods=["post"], url_path="goals")
    def add_goal(self, request, pk=None):
        """Add a goal to a draft."""
        plan = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = _write(lambda: services.goal_save(user=request.user, plan=plan, **serializer.validated_data))
        return Response(serializers.GoalSerializer(saved).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["patch"], url_path=r"concerns/(?P<concern_id>\d+)")
    def change_concern(self, request, pk=None, concern_id=None):
        """Change a concern of a draft; send the ``lock_version`` you read (409 if someone saved it since)."""
        return self._change_part(request, "concerns", concern_id, serializers.ConcernSerializer,
                                 lambda plan, concern, data, lock_version: services.concern_save(
                                     user=request.user, plan=plan, concern=concern, lock_version=lock_version,
                                     text=data.get("concern", concern.concern),
                                     strengths=data.get("strengths", concern.strengths),
                                     needs=data.get("needs", concern.needs)))

    @action(detail=True, methods=["patch"], url_path=r"goals/(?P<goal_id>\d+)")
    def change_goal(self, request, pk=None, goal_id=None):
        """Change a goal of a draft; send the ``lock_version`` you read (409 if someone saved it since)."""
        return self._change_part(request, "goals", goal_id, serializers.GoalSerializer,
                                 lambda plan, goal, data, lock_version: services.goal_save(
                                     user=request.user, plan=plan, goal=goal, lock_version=lock_version,
                                     text=data.get("text", goal.text), status=data.get("status", goal.status)))

    def _change_part(self, request, related: str, part_id, serializer_class, save):
        """PATCH one concern or goal of this plan: validate, require the lock_version, save."""
        plan = self.get_object()
        part = get_object_or_404(getattr(plan, related), pk=part_id)
        serializer = serializer_class(part, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        lock_version = require_lock_version(request.data)
        saved = _write(lambda: save(plan, part, serializer.validated_data, lock_version))
        return Response(serializer_class(saved).data)

    def _concurrent(self, request, body_class, write):
        """A concurrent-planning write on a review version: the plan resolves first (404 before
        the body is read), the child through the plan's case."""
        plan = self.get_object()
        body = body_class(data=request.data, context={**self.get_serializer_context(), "case": plan.case})
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        member = data.pop("member")
        _write(lambda: write(plan, member, data))
        row = ReunificationPrognosis.objects.select_related("alternate").get(plan=plan, member=member)
        return Response(serializers.ConcurrentPlanningSerializer(row).data)

    @extend_schema(request=serializers.PrognosisSerializer, responses=serializers.ConcurrentPlanningSerializer)
    @action(detail=True, methods=["post"])
    def prognosis(self, request, pk=None):
        """At a review: a child in care's prognosis for reunification, with its reasons."""
        return self._concurrent(request, serializers.PrognosisSerializer, lambda plan, member, data:
                                services.prognosis_record(user=request.user, plan=plan, member=member, **data))

    @extend_schema(request=serializers.AlternatePlanSerializer, responses=serializers.ConcurrentPlanningSerializer)
    @action(detail=True, methods=["post"], url_path="alternate-plan")
    def alternate_plan(self, request, pk=None):
        """A poor prognosis: the alternate permanent plan (endorsed by a team leader before the review completes)."""
        def write(plan, member, data):
            prognosis = ReunificationPrognosis.objects.filter(plan=plan, member=member).first()
            if prognosis is None:
                raise CaseworkError("Record the prognosis for reunification first.")
            return services.alternate_plan_record(user=request.user, prognosis=prognosis, **data)
        return self._concurrent(request, serializers.AlternatePlanSerializer, write)

    @extend_schema(request=serializers.AlternateDecisionSerializer,
                   responses=serializers.ConcurrentPlanningSerializer)
    @action(detail=True, methods=["post"], url_path="alternate-plan/decide")
    def alternate_decide(self, request, pk=None):
        """A team leader of the case's team endorses (or returns) a child's alternate permanent plan."""
        def write(plan, member, data):
            alternate = AlternatePlan.objects.filter(prognosis__plan=plan, prognosis__member=member).first()
            if alternate is None:
                raise CaseworkError("No alternate plan is recorded for this child.")
            return services.alternate_plan_decide(user=request.user, alternate=alternate, **data)
        return self._concurrent(request, serializers.AlternateDecisionSerializer, write)

    @extend_schema(responses=serializers.CasePlanSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def versions(self, request, pk=None):
        plan = self.get_object()
        rows = self.get_queryset().filter(case_id=plan.case_id)
        return Response(serializers.CasePlanSerializer(rows, many=True, context=self.get_serializer_context()).data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], filter_backends=[])
    def pdf(self, request, pk=None):
        """The PDF of this version; ``?copy=family`` for the child and family's copy."""
        from caseplans.views import pdf_response

        return pdf_response(self.get_object(), family=request.query_params.get("copy") == "family")


class PlanActionViewSet(VisibleCasesContextMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """The actions tables. PATCH needs ``lock_version``; ``/complete/`` ticks an action off and
    ``/withdraw/`` takes it out of a draft with a reason."""

    filterset_fields = ["plan", "plan__case__reference"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.action_list(self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return serializers.ActionCreateSerializer
        if self.action == "complete":
            return serializers.ActionCompleteSerializer
        if self.action == "withdraw":
            return serializers.ActionWithdrawSerializer
        return serializers.PlanActionSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        plan = data.pop("plan")
        require(self.request.user, Action.EDIT, plan.case)
        serializer.instance = _write(lambda: services.action_add(user=self.request.user, plan=plan, **data))

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        lock_version = require_lock_version(self.request.data)
        action_row = serializer.instance
        serializer.instance = _write(lambda: services.action_update(
            user=self.request.user, action=action_row, lock_version=lock_version, **data))

    def _action_write(self, request, write):
        """Validate the body with this endpoint's serializer, call ``write`` and answer the saved action."""
        action_row = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = _write(lambda: write(user=request.user, action=action_row, **serializer.validated_data))
        return Response(serializers.PlanActionSerializer(saved).data)

    @extend_schema(request=serializers.ActionCompleteSerializer, responses=serializers.PlanActionSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._action_write(request, services.action_complete)

    @extend_schema(request=serializers.ActionWithdrawSerializer, responses=serializers.PlanActionSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Take the action out of a draft's table, with the reason (it is kept, never deleted)."""
        return self._action_write(request, services.action_withdraw)

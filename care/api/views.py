"""REST endpoints of carer households, placements and placement agreements: the same rules as
the pages. Households are the organisation's directory (read by all staff, kept by team
leaders, managers and administrators); placements and agreements are listed from the cases the
user may see (others answer 404) and written with EDIT on their case."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from care import selectors, services
from care.api import serializers
from care.models import HouseholdMember
from cases.api.versioning import domain_errors
from cases.api.views import VisibleCasesContextMixin, _domain_errors
from cases.permissions import Action, can, require


class HouseholdPermission(permissions.BasePermission):
    message = "Only team leaders, managers and administrators keep the carer households."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or services.may_manage_households(request.user)


class CarerHouseholdViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                            mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """No delete: a household that stops caring changes its approval status."""

    serializer_class = serializers.CarerHouseholdSerializer
    permission_classes = [HouseholdPermission]
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["kind", "approval_status", "office"]
    search_fields = ["name", "suburb"]

    def get_queryset(self):
        return selectors.households(self.request.user).order_by("name")

    def _save(self, serializer, instance):
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        serializer.instance = _domain_errors(lambda: services.household_save(user=self.request.user,
                                                                             household=instance))

    def perform_create(self, serializer):
        self._save(serializer, serializer.Meta.model())

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    @extend_schema(request=serializers.HouseholdMemberSerializer, responses={201: serializers.HouseholdMemberSerializer})
    @action(detail=True, methods=["post"])
    def people(self, request, pk=None):
        """Add a person to the household."""
        household = self.get_object()
        data = serializers.HouseholdMemberSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = _domain_errors(lambda: services.household_member_add(
            user=request.user, household=household, member=HouseholdMember(**data.validated_data)))
        return Response(serializers.HouseholdMemberSerializer(member).data, status=201)


class PlacementViewSet(VisibleCasesContextMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Recording a placement writes the child's in-care living arrangement with it (one story)."""

    serializer_class = serializers.PlacementSerializer
    filterset_fields = {"household": ["exact"], "living_arrangement__member__case__reference": ["exact"]}
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return selectors.visible_placements(self.request.user).order_by("-living_arrangement__effective_from", "-pk")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = _domain_errors(lambda: services.placement_record(
            user=self.request.user, child=data["living_arrangement"]["member"], household=data["household"],
            placement_type=data["placement_type"], start=data["living_arrangement"]["effective_from"],
            reason_for_change=data["reason_for_change"], approved_by=data["approved_by"]))

    @extend_schema(request=serializers.PlacementEndSerializer, responses=serializers.PlacementSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the placement (the child left care) on ``ended_on``."""
        placement = get_object_or_404(self.get_queryset(), pk=pk)
        require(request.user, Action.EDIT, placement.case)
        data = serializers.PlacementEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _domain_errors(lambda: services.placement_end(user=request.user, placement=placement,
                                                      ended_on=data.validated_data["ended_on"]))
        return Response(self.get_serializer(self.get_queryset().get(pk=placement.pk)).data)


class PlacementAgreementViewSet(VisibleCasesContextMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                                mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Creating one makes the placement's next version; versions are never changed."""

    serializer_class = serializers.PlacementAgreementSerializer
    filterset_fields = ["placement"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return selectors.visible_agreements(self.request.user).order_by("placement_id", "-version")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "placements": selectors.visible_placements(self.request.user)}

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = _domain_errors(lambda: services.agreement_save(
            user=self.request.user, placement=data["placement"],
            items=[services.ItemInput(i["responsible"], i["what"]) for i in data["items"]],
            supports_to_carer=data.get("supports_to_carer", ""), review_on=data["review_on"]))


def _created(serializer_class, row, *, context=None):
    return Response(serializer_class(row, context=context or {}).data, status=status.HTTP_201_CREATED)


class FamilyTimeViewSet(VisibleCasesContextMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    """Family-time arrangements of children in care, with their staged plans. POST to create;
    ``/stages/`` adds a stage, ``/progress/`` asks to move to the next, ``/sessions/`` records a
    session, ``/reviews/`` records a review."""

    filterset_fields = ["case__reference", "member"]
    serializer_class = serializers.FamilyTimeSerializer

    def get_queryset(self):
        return selectors.family_time_list(self.request.user).prefetch_related("stages")

    def _reload(self, arrangement):
        return self.get_queryset().get(pk=arrangement.pk)

    @extend_schema(request=serializers.FamilyTimeCreateSerializer, responses={201: serializers.FamilyTimeSerializer})
    def create(self, request):
        body = serializers.FamilyTimeCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        member = data.pop("member")
        require(request.user, Action.EDIT, member)
        row = domain_errors(lambda: services.family_time_create(user=request.user, member=member, **data))
        return _created(serializers.FamilyTimeSerializer, self._reload(row))

    def _write(self, request, body_class, write):
        arrangement = self.get_object()
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        return domain_errors(lambda: write(arrangement, body.validated_data))

    @extend_schema(request=serializers.StageCreateSerializer, responses={201: serializers.StageSerializer})
    @action(detail=True, methods=["post"])
    def stages(self, request, pk=None):
        row = self._write(request, serializers.StageCreateSerializer, lambda arrangement, data: services.stage_add(
            user=request.user, arrangement=arrangement, **data))
        return _created(serializers.StageSerializer, row)

    @extend_schema(request=serializers.RationaleSerializer, responses={201: serializers.ProgressionSerializer})
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        row = self._write(request, serializers.RationaleSerializer, lambda arrangement, data:
                          services.progression_request(user=request.user, arrangement=arrangement, **data))
        return _created(serializers.ProgressionSerializer, row)

    @extend_schema(request=serializers.SessionCreateSerializer, responses={201: serializers.SessionSerializer})
    @action(detail=True, methods=["post"])
    def sessions(self, request, pk=None):
        row = self._write(request, serializers.SessionCreateSerializer, lambda arrangement, data:
                          services.session_record(user=request.user, arrangement=arrangement, **data))
        return _created(serializers.SessionSerializer, row)

    @extend_schema(request=serializers.ReviewSerializer, responses={201: serializers.ReviewSerializer})
    @action(detail=True, methods=["post"])
    def reviews(self, request, pk=None):
        row = self._write(request, serializers.ReviewSerializer, lambda arrangement, data: services.review_record(
            user=request.user, arrangement=arrangement, **data))
        return _created(serializers.ReviewSerializer, row)


class ProgressionViewSet(VisibleCasesContextMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    """Requests to move a family-time plan to its next stage; ``/decide/`` for a team leader."""

    filterset_fields = ["status", "arrangement"]
    serializer_class = serializers.ProgressionSerializer

    def get_queryset(self):
        return selectors.progressions_list(self.request.user).order_by("-requested_at", "-pk")

    @extend_schema(request=serializers.ProgressionDecisionSerializer, responses=serializers.ProgressionSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        progression = get_object_or_404(self.get_queryset(), pk=pk)
        if not can(request.user, Action.APPROVE, progression.arrangement.case):
            raise PermissionDenied("Only a team leader of the case's team decides a move to the next stage.")
        body = serializers.ProgressionDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = domain_errors(lambda: services.progression_decide(user=request.user, progression=progression,
                                                                **body.validated_data))
        return Response(serializers.ProgressionSerializer(row).data)


class SessionViewSet(VisibleCasesContextMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     viewsets.GenericViewSet):
    """Family-time sessions: held, missed or cancelled (record them at ``/family-time/{id}/sessions/``)."""

    filterset_fields = ["outcome", "arrangement"]
    serializer_class = serializers.SessionSerializer

    def get_queryset(self):
        return selectors.sessions_list(self.request.user)


class CulturalPlanViewSet(VisibleCasesContextMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    """Cultural support plans of Aboriginal and Torres Strait Islander children in care. POST to
    start one; ``/activities/`` adds what it provides and who is responsible."""

    filterset_fields = ["case__reference", "member"]
    serializer_class = serializers.CulturalPlanSerializer

    def get_queryset(self):
        return selectors.cultural_plans_list(self.request.user)

    @extend_schema(request=serializers.CulturalPlanCreateSerializer,
                   responses={201: serializers.CulturalPlanSerializer})
    def create(self, request):
        body = serializers.CulturalPlanCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        member = data.pop("member")
        require(request.user, Action.EDIT, member)
        row = domain_errors(lambda: services.cultural_plan_save(user=request.user, member=member, **data))
        return _created(serializers.CulturalPlanSerializer, self.get_queryset().get(pk=row.pk))

    @extend_schema(request=serializers.ActivitySerializer, responses={201: serializers.ActivitySerializer})
    @action(detail=True, methods=["post"])
    def activities(self, request, pk=None):
        plan = self.get_object()
        body = serializers.ActivitySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = domain_errors(lambda: services.cultural_activity_add(user=request.user, plan=plan,
                                                                   **body.validated_data))
        return _created(serializers.ActivitySerializer, row)

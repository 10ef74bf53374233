"""REST endpoints of carer households, placements and placement agreements: the same rules as
the pages. Households are the organisation's directory (read by all staff, kept by team
leaders, managers and administrators); placements and agreements are listed from the cases the
user may see (others answer 404) and written with EDIT on their case."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from care import selectors, services
from care.api import serializers
from care.models import HouseholdMember
from cases.api.views import VisibleCasesContextMixin, _domain_errors
from cases.permissions import Action, require


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

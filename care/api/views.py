"""REST endpoints of family time and cultural support plans: the same rules as the pages.

Lists show the records of the cases you may see (others answer 404); writes need EDIT on the
case (403 when visible but not allowed); a move to the next stage is decided by a team leader of
the case's team (403 otherwise). Domain refusals answer 400 with the reason, nothing saved."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from care import selectors, services
from care.api import serializers
from cases.api.versioning import domain_errors
from cases.api.views import VisibleCasesContextMixin
from cases.permissions import Action, can, require


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

    @extend_schema(request=serializers.DecisionSerializer, responses=serializers.ProgressionSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        progression = get_object_or_404(self.get_queryset(), pk=pk)
        if not can(request.user, Action.APPROVE, progression.arrangement.case):
            raise PermissionDenied("Only a team leader of the case's team decides a move to the next stage.")
        body = serializers.DecisionSerializer(data=request.data)
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

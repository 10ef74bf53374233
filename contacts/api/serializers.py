"""Contacts and evaluations as JSON. Writes go through contacts.services."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.permissions import VisibleCaseField, VisibleRelatedField
from contacts.models import CaseMonth, Contact, ContactKind, ContactMode, Location, ScheduledVisit, VisitPlace
from contacts.services import ContactInput, contact_problems
from services.models import ServiceProvider


class ParticipantSerializer(serializers.Serializer):
    member = VisibleRelatedField("member", help_text="A member of the contact's case")
    seen_alone = serializers.BooleanField(default=False)


class ContactSerializer(serializers.ModelSerializer):
    case = VisibleCaseField()
    participants = ParticipantSerializer(many=True, required=False)
    # The choices of the contact form: staff who may work on the case; a parent of the case.
    made_by = VisibleRelatedField("staff", required=False, allow_null=True,
                                  help_text="The case's caseworker, a member or leader of its team, or you")
    provider = serializers.PrimaryKeyRelatedField(queryset=ServiceProvider.objects.all(), required=False,
                                                  allow_null=True)
    location_person = VisibleRelatedField("parent", required=False, allow_null=True,
                                          help_text="Whose residence: a parent of the case")
    kind = serializers.ChoiceField(choices=ContactKind.choices)
    mode = serializers.ChoiceField(choices=ContactMode.choices, required=False, allow_blank=True)
    location = serializers.ChoiceField(choices=Location.choices, required=False, allow_blank=True)

    class Meta:
        model = Contact
        fields = [
            "id", "case", "occurred_at", "duration_minutes", "kind", "mode", "maker_role", "made_by", "provider",
            "provider_worker", "other_party_name", "other_party_organisation", "location", "location_person",
            "location_details", "announced", "interpreter_used", "purpose", "observations", "assessment",
            "safety_concerns", "safety_actions", "next_visit_on", "participants", "author", "recorded_at",
            "recorded_late",
        ]
        read_only_fields = ["maker_role", "author", "recorded_at", "recorded_late"]

    def to_representation(self, contact):
        data = super().to_representation(contact)
        data["participants"] = [{"member": p.member_id, "seen_alone": p.seen_alone}
                                for p in contact.participants.all()]
        return data

    def validate(self, attrs):
        participants = attrs.pop("participants", [])
        request = self.context["request"]
        made_by = attrs.get("made_by", None if attrs.get("provider") else request.user)
        self.contact_input = ContactInput(
            occurred_at=attrs["occurred_at"], kind=attrs["kind"], mode=attrs.get("mode", ""),
            duration_minutes=attrs.get("duration_minutes"), made_by=made_by, provider=attrs.get("provider"),
            **{name: attrs.get(name, "") for name in ("provider_worker", "other_party_name",
                                                      "other_party_organisation", "location",
                                                      "location_details", "purpose", "observations",
                                                      "assessment", "safety_concerns", "safety_actions")},
            location_person=attrs.get("location_person"), announced=attrs.get("announced", True),
            interpreter_used=attrs.get("interpreter_used", False), next_visit_on=attrs.get("next_visit_on"),
            participants=[p["member"] for p in participants],
            seen_alone=[p["member"] for p in participants if p["seen_alone"]],
        )
        problems = contact_problems(attrs["case"], self.contact_input)
        if problems:
            raise serializers.ValidationError(problems)
        return attrs


class CaseMonthSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.reference")
    month = serializers.SerializerMethodField()

    class Meta:
        model = CaseMonth
        fields = ["case", "month", "status", "case_type", "risk_level", "required_total", "achieved_total", "lines",
                  "not_counted", "notes", "not_assessable_reason", "adjustment", "computed_at", "closed_at",
                  "amended_at"]

    def get_month(self, result) -> str:
        return result.month.strftime("%Y-%m")




class VisitChangeSerializer(serializers.Serializer):
    """One reschedule or the cancellation of a visit: when, by whom (user id), why, and for a
    reschedule the day (and time) before and after."""

    kind = serializers.ChoiceField(choices=["rescheduled", "cancelled"])
    at = serializers.DateTimeField()
    by = serializers.IntegerField()
    reason = serializers.CharField()
    moved_from = serializers.CharField(required=False)
    moved_to = serializers.CharField(required=False)


class PlannedVisitSerializer(serializers.ModelSerializer):
    """A planned visit. ``state`` is its status as of today: a planned visit whose day has
    passed without a contact reads "missed" at once."""

    case = VisibleCaseField()
    members = VisibleRelatedField("member", many=True, help_text="Members of the visit's case: with whom")
    place = serializers.ChoiceField(choices=VisitPlace.choices, default=VisitPlace.HOME)
    state = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()

    class Meta:
        model = ScheduledVisit
        fields = ["id", "case", "scheduled_for", "scheduled_time", "members", "place", "place_details", "purpose",
                  "requirement", "status", "state", "planned_by", "planned_at", "cancelled_reason", "changes"]
        read_only_fields = ["status", "planned_by", "planned_at", "cancelled_reason"]

    def get_state(self, visit) -> str:
        return getattr(visit, "state", visit.status)

    @extend_schema_field(VisitChangeSerializer(many=True))
    def get_changes(self, visit):
        return [{"kind": c["kind"], "at": c["at"], "by": c["by"], "reason": c["reason"],
                 **({"moved_from": c["from"], "moved_to": c["to"]} if "from" in c else {})}
                for c in visit.changes or []]

    def to_representation(self, visit):
        data = super().to_representation(visit)
        data["members"] = [m.pk for m in visit.members.all()]
        return data


class VisitRescheduleSerializer(serializers.Serializer):
    scheduled_for = serializers.DateField()
    scheduled_time = serializers.TimeField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=200)


class VisitCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)

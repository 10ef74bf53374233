from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cases.permissions import visible_inbound_messages
from responses.models import InboundMessage, SendingSystem


@admin.register(SendingSystem)
class SendingSystemAdmin(admin.ModelAdmin):
    """Tokens are issued with ``manage.py sending_system_add`` (shown once, stored hashed)."""

    list_display = ["name", "token_prefix", "active", "created_at"]
    readonly_fields = ["token_hash", "token_prefix"]


@admin.register(InboundMessage)
class InboundMessageAdmin(SimpleHistoryAdmin):
    list_display = ["system", "message_id", "status", "received_at"]
    list_filter = ["status", "system"]
    readonly_fields = [f.name for f in InboundMessage._meta.fields]

    def get_queryset(self, request):
        # The same rule as the inbound pages: an administrator (even a superuser) reads none.
        return visible_inbound_messages(request.user, super().get_queryset(request))

    def has_delete_permission(self, request, obj=None):
        return False

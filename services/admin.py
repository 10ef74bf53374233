"""Django admin for the service directory, managed by administrators.

Referrals are not in the admin: they are case records, worked in the application where the
case access rules apply (administrators do not see case records). Nothing is deleted: providers and services are made
inactive. The financial delegate permission ("May approve the payment for a referral")
is granted to staff in the user admin, directly or through a group."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cases.models import Role
from services.models import Service, ServiceProvider


class AdministratorsManage:
    """Administrators (the role) manage the directory without separate model permissions."""

    def _is_administrator(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and (user.is_superuser or user.role == Role.ADMINISTRATOR)

    def has_module_permission(self, request):
        return self._is_administrator(request)

    def has_view_permission(self, request, obj=None):
        return self._is_administrator(request)

    def has_add_permission(self, request, *args):
        return self._is_administrator(request)

    def has_change_permission(self, request, obj=None):
        return self._is_administrator(request)

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceInline(AdministratorsManage, admin.StackedInline):
    model = Service
    extra = 0
    fields = ["name", "service_type", "area_served", "how_to_refer", "cost_per_session", "typical_wait_days", "active"]


@admin.register(ServiceProvider)
class ServiceProviderAdmin(AdministratorsManage, SimpleHistoryAdmin):
    list_display = ["name", "phone", "email", "active"]
    list_filter = ["active"]
    search_fields = ["name", "services__name", "services__area_served"]
    inlines = [ServiceInline]


@admin.register(Service)
class ServiceAdmin(AdministratorsManage, SimpleHistoryAdmin):
    list_display = ["name", "provider", "service_type", "area_served", "cost_per_session", "typical_wait_days",
                    "active"]
    list_filter = ["service_type", "active"]
    search_fields = ["name", "provider__name", "area_served"]
    list_select_related = ["provider"]


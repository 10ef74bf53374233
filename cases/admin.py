"""Django admin for reference data: offices, teams and staff. Case records are
worked in the application itself, where access rules apply."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from cases.models import Office, Team, User


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "office", "members_see_team_cases"]
    list_filter = ["office"]
    search_fields = ["name"]


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "team", "is_active"]
    list_filter = ["role", "team__office", "is_active"]
    fieldsets = UserAdmin.fieldsets + (("Casework", {"fields": ["role", "team", "led_teams", "managed_offices"]}),)
    add_fieldsets = UserAdmin.add_fieldsets + (
        ("Casework", {"fields": ["first_name", "last_name", "email", "role", "team"]}),)
    search_fields = ["username", "first_name", "last_name", "email"]
    filter_horizontal = ["led_teams", "managed_offices", "groups", "user_permissions"]

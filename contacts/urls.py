from django.urls import path

from contacts import dashboard_views, federal_views, views, visit_views

app_name = "contacts"

urlpatterns = [
    path("case/<str:reference>/new/", views.contact_create, name="create"),
    path("case/<str:reference>/draft/", views.draft_autosave, name="draft_autosave"),
    path("case/<str:reference>/timeline/", views.timeline, name="timeline"),
    path("case/<str:reference>/month/<str:month>/", views.month_detail, name="month"),
    path("case/<str:reference>/requests/new/", views.requirement_request, name="request"),
    path("drafts/", views.drafts, name="drafts"),
    path("drafts/<int:pk>/discard/", views.draft_discard, name="draft_discard"),
    path("case/<str:reference>/visits/plan/", visit_views.visit_plan, name="visit_plan"),
    path("visits/", visit_views.my_visits, name="visits"),
    path("visits/calendar/", visit_views.calendar, name="calendar"),
    path("visits/calendar-address/", visit_views.feed_settings, name="feed_settings"),
    path("visits/feed/<str:token>.ics", visit_views.feed, name="feed"),
    path("visits/<int:pk>/change/", visit_views.visit_reschedule, name="visit_reschedule"),
    path("visits/<int:pk>/cancel/", visit_views.visit_cancel, name="visit_cancel"),
    path("approvals/", views.approvals, name="approvals"),
    path("requests/<int:pk>/decide/", views.request_decide, name="request_decide"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/cases/", dashboard_views.drill_down, name="drill_down"),
    path("dashboard/federal/", federal_views.child_months, name="federal_child_months"),
    path("runs/", dashboard_views.runs, name="runs"),
    path("runs/now/", dashboard_views.run_now, name="run_now"),
    path("runs/<int:pk>/", dashboard_views.run_detail, name="run"),
    path("<int:pk>/", views.contact_detail, name="detail"),
    path("<int:pk>/edit/", views.contact_edit, name="edit"),
    path("<int:pk>/addendum/", views.addendum_add, name="addendum"),
]

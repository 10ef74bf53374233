from django.urls import path

from services import views

app_name = "services"

_referral = "cases/<str:reference>/referrals/<int:referral_id>/"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("providers/<int:provider_id>/", views.provider_detail, name="provider_detail"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:approval_id>/decide/", views.cost_decide, name="cost_decide"),
    path("cases/<str:reference>/referrals/new/", views.referral_create, name="referral_create"),
    path(_referral, views.referral_detail, name="referral_detail"),
    path(_referral + "edit/", views.referral_edit, name="referral_edit"),
    path(_referral + "status/<slug:target>/", views.referral_transition, name="referral_transition"),
    path(_referral + "cost/", views.cost_request, name="cost_request"),
    path(_referral + "information/", views.family_information, name="family_information"),
    path(_referral + "plan/", views.communication_plan, name="communication_plan"),
    path(_referral + "updates/new/", views.provider_update, name="provider_update"),
    path(_referral + "alternatives/", views.alternatives, name="alternatives"),
]

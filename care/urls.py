"""Children in care: carer households, placements, placement agreements, carer visits, family
time and cultural support plans (pages)."""
from django.urls import path

from care import views

app_name = "care"

_placement = "cases/<str:reference>/placements/<int:pk>/"
_child = "cases/<str:reference>/children/<int:member_id>/"

urlpatterns = [
    path("households/", views.households, name="households"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("stability/", views.stability, name="stability"),
    path("cases/<str:reference>/placements/new/", views.placement_create, name="placement_create"),
    path(_placement, views.placement_detail, name="placement_detail"),
    path(_placement + "agreement/", views.agreement_edit, name="agreement_edit"),
    path(_placement + "visit/", views.carer_visit, name="carer_visit"),
    path("family-time/", views.family_time_list, name="family_time_list"),
    path(_child + "family-time/new/", views.family_time_create, name="family_time_create"),
    path(_child + "cultural-plan/", views.cultural_plan, name="cultural_plan"),
    path(_child + "cultural-plan/activities/new/", views.cultural_activity_add, name="cultural_activity_add"),
    path("family-time/<int:pk>/", views.family_time_detail, name="family_time_detail"),
    path("family-time/<int:pk>/stages/new/", views.stage_add, name="stage_add"),
    path("family-time/<int:pk>/progress/", views.progression_request, name="progression_request"),
    path("family-time/<int:pk>/sessions/new/", views.session_record, name="session_record"),
    path("family-time/<int:pk>/reviews/new/", views.review_record, name="review_record"),
    path("progressions/<int:pk>/decide/", views.progression_decide, name="progression_decide"),
]

"""Children in care: carer households, placements, placement agreements, carer visits."""
from django.urls import path

from care import views

app_name = "care"

_placement = "cases/<str:reference>/placements/<int:pk>/"

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
]

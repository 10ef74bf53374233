from django.urls import path
from rest_framework.routers import DefaultRouter

from contacts.api import views

router = DefaultRouter()
router.register("contacts", views.ContactViewSet, basename="contact")

urlpatterns = router.urls + [
    path("cases/<str:reference>/compliance/<str:month>/", views.case_month_evaluation, name="case-month-evaluation"),
]

from django.urls import path

from casework.routers import Router
from contacts.api import federal, views

router = Router()
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("planned-visits", views.PlannedVisitViewSet, basename="planned-visit")

urlpatterns = router.urls + [
    path("cases/<str:reference>/compliance/<str:month>/", views.case_month_evaluation, name="case-month-evaluation"),
    path("federal-visits/", federal.FederalSummaryView.as_view(), name="federal-visits"),
    path("federal-visits/child-months/", federal.FederalChildMonthsView.as_view(), name="federal-visit-child-months"),
]

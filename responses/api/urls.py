from django.urls import path

from casework.routers import Router
from responses.api import views

router = Router()
router.register("record-alerts", views.RecordAlertViewSet, basename="record-alert")
router.register("responses", views.ResponseViewSet, basename="response")
router.register("safety-assessments", views.SafetyAssessmentViewSet, basename="safety-assessment")
router.register("safety-plans", views.SafetyPlanViewSet, basename="safety-plan")
router.register("supervision-reviews", views.SupervisionReviewViewSet, basename="supervision-review")
router.register("formal-reviews", views.FormalReviewViewSet, basename="formal-review")
router.register("recommendations", views.RecommendationViewSet, basename="recommendation")
router.register("inbound-messages", views.InboundMessageViewSet, basename="inbound-message")

urlpatterns = [
    path("inbound/", views.InboundView.as_view(), name="responses-inbound"),
    *router.urls,
]

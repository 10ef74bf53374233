from rest_framework.routers import DefaultRouter

from cases.api import views

router = DefaultRouter()
router.register("cases", views.CaseViewSet, basename="case")
router.register("members", views.MemberViewSet, basename="member")
router.register("legal-statuses", views.LegalStatusViewSet, basename="legal-status")
router.register("goals", views.ChildGoalViewSet, basename="goal")
router.register("living-arrangements", views.LivingArrangementViewSet, basename="living-arrangement")
router.register("risk-assessments", views.RiskAssessmentViewSet, basename="risk-assessment")

urlpatterns = router.urls

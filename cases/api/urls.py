from cases.api import views
from casework.routers import Router

router = Router()
router.register("cases", views.CaseViewSet, basename="case")
router.register("members", views.MemberViewSet, basename="member")
router.register("legal-statuses", views.LegalStatusViewSet, basename="legal-status")
router.register("goals", views.ChildGoalViewSet, basename="goal")
router.register("living-arrangements", views.LivingArrangementViewSet, basename="living-arrangement")
router.register("risk-assessments", views.RiskAssessmentViewSet, basename="risk-assessment")
router.register("attachments", views.AttachmentViewSet, basename="attachment")

urlpatterns = router.urls

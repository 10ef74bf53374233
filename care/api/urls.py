from care.api import views
from casework.routers import Router

router = Router()
router.register("carer-households", views.CarerHouseholdViewSet, basename="carer-household")
router.register("placements", views.PlacementViewSet, basename="placement")
router.register("placement-agreements", views.PlacementAgreementViewSet, basename="placement-agreement")
router.register("family-time", views.FamilyTimeViewSet, basename="family-time")
router.register("family-time-progressions", views.ProgressionViewSet, basename="family-time-progression")
router.register("family-time-sessions", views.SessionViewSet, basename="family-time-session")
router.register("cultural-plans", views.CulturalPlanViewSet, basename="cultural-plan")

urlpatterns = router.urls

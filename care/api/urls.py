from care.api import views
from casework.routers import Router

router = Router()
router.register("family-time", views.FamilyTimeViewSet, basename="family-time")
router.register("family-time-progressions", views.ProgressionViewSet, basename="family-time-progression")
router.register("family-time-sessions", views.SessionViewSet, basename="family-time-session")
router.register("cultural-plans", views.CulturalPlanViewSet, basename="cultural-plan")

urlpatterns = router.urls

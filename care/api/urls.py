from care.api import views
from casework.routers import Router

router = Router()
router.register("carer-households", views.CarerHouseholdViewSet, basename="carer-household")
router.register("placements", views.PlacementViewSet, basename="placement")
router.register("placement-agreements", views.PlacementAgreementViewSet, basename="placement-agreement")

urlpatterns = router.urls

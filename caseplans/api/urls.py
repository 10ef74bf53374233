from caseplans.api import views
from casework.routers import Router

router = Router()
router.register("case-plans", views.CasePlanViewSet, basename="case-plan")
router.register("plan-actions", views.PlanActionViewSet, basename="plan-action")

urlpatterns = router.urls

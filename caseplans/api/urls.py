from rest_framework.routers import DefaultRouter

from caseplans.api import views

router = DefaultRouter()
router.register("case-plans", views.CasePlanViewSet, basename="case-plan")
router.register("plan-actions", views.PlanActionViewSet, basename="plan-action")

urlpatterns = router.urls

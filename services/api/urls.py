from casework.routers import Router
from services.api import views

router = Router()
router.register("service-providers", views.ServiceProviderViewSet, basename="service-provider")
router.register("services", views.ServiceViewSet, basename="service")
router.register("referrals", views.ReferralViewSet, basename="referral")

urlpatterns = router.urls

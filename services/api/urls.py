from rest_framework.routers import DefaultRouter

from services.api import views

router = DefaultRouter()
router.register("service-providers", views.ServiceProviderViewSet, basename="service-provider")
router.register("services", views.ServiceViewSet, basename="service")
router.register("referrals", views.ReferralViewSet, basename="referral")

urlpatterns = router.urls

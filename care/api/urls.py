from casework.routers import Router

router = Router()

urlpatterns = router.urls

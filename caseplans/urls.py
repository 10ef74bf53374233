app_name = "caseplans"

urlpatterns = []

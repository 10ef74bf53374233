from django.urls import path

from alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("acknowledge/", views.acknowledge_many, name="acknowledge_many"),
]

from django.urls import path

from responses import views

app_name = "responses"

_case = "cases/<str:reference>/"

urlpatterns = [
    path("due/", views.due, name="due"),
    path("inbound/", views.inbound, name="inbound"),
    path("inbound/<int:message_id>/", views.inbound_detail, name="inbound_detail"),
    path(_case + "alerts/new/", views.record_alert_create, name="record_alert_create"),
    path(_case + "alerts/", views.record_alert_history, name="record_alert_history"),
    path(_case + "alerts/<int:alert_id>/end/", views.record_alert_end, name="record_alert_end"),
    path(_case + "alerts/<int:alert_id>/review/", views.record_alert_review, name="record_alert_review"),
    path(_case + "responses/new/", views.response_create, name="response_create"),
    path(_case + "responses/<int:response_id>/", views.response_detail, name="response_detail"),
    path(_case + "responses/<int:response_id>/steps/<slug:code>/", views.response_step, name="response_step"),
    path(_case + "safety-assessments/new/", views.safety_assessment_create, name="safety_assessment_create"),
    path(_case + "safety-plans/new/", views.safety_plan_create, name="safety_plan_create"),
    path(_case + "safety-plans/<int:plan_id>/", views.safety_plan_detail, name="safety_plan_detail"),
    path(_case + "safety-plans/<int:plan_id>/decide/", views.safety_plan_decide, name="safety_plan_decide"),
    path(_case + "safety-plans/<int:plan_id>/no-increase/", views.no_increase, name="no_increase"),
    path(_case + "reviews/", views.reviews, name="reviews"),
    path(_case + "supervision/new/", views.supervision_review_create, name="supervision_review_create"),
    path(_case + "formal-reviews/new/", views.formal_review_create, name="formal_review_create"),
    path(_case + "recommendations/new/", views.recommendation_create, name="recommendation_create"),
    path(_case + "recommendations/<int:recommendation_id>/decide/", views.recommendation_decide,
         name="recommendation_decide"),
    path(_case + "close/", views.case_close, name="case_close"),
]

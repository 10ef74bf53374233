from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="my_cases"),
    path("new/", views.case_create, name="create"),
    path("access-report/", views.access_report, name="access_report"),
    path("<str:reference>/", views.case_detail, name="detail"),
    path("<str:reference>/edit/", views.case_edit, name="edit"),
    path("<str:reference>/history/", views.case_history, name="history"),
    path("<str:reference>/looks/", views.case_looks, name="looks"),
    path("<str:reference>/reallocate/", views.case_reallocate, name="reallocate"),
    path("<str:reference>/restricted/", views.case_restricted, name="restricted"),
    path("<str:reference>/members/new/", views.member_add, name="member_add"),
    path("<str:reference>/members/<int:member_id>/edit/", views.member_edit, name="member_edit"),
    path("<str:reference>/members/<int:member_id>/address/", views.address_add, name="address_add"),
    path("<str:reference>/members/<int:member_id>/<slug:kind>/new/", views.child_fact_edit, name="child_fact_add"),
    path("<str:reference>/members/<int:member_id>/<slug:kind>/<int:fact_id>/", views.child_fact_edit,
         name="child_fact_edit"),
    path("<str:reference>/risk/new/", views.risk_assessment_edit, name="risk_add"),
    path("<str:reference>/risk/<int:assessment_id>/", views.risk_assessment_edit, name="risk_edit"),
    path("<str:reference>/attachments/new/", views.attachment_add, name="attachment_add"),
    path("<str:reference>/attachments/<int:attachment_id>/", views.attachment_detail, name="attachment_detail"),
    path("<str:reference>/attachments/<int:attachment_id>/download/", views.attachment_download,
         name="attachment_download"),
    path("<str:reference>/attachments/<int:attachment_id>/preview/", views.attachment_preview,
         name="attachment_preview"),
    path("<str:reference>/attachments/<int:attachment_id>/withdraw/", views.attachment_withdraw,
         name="attachment_withdraw"),
]

from django.urls import path

from caseplans import views

app_name = "caseplans"

_plan = "cases/<str:reference>/v<int:version>/"

urlpatterns = [
    path("due/", views.leader_dashboard, name="dashboard"),
    path("cases/<str:reference>/new/", views.plan_start, name="plan_start"),
    path(_plan, views.plan_detail, name="plan_detail"),
    path(_plan + "edit/", views.plan_edit, name="plan_edit"),
    path(_plan + "submit/", views.plan_submit, name="plan_submit"),
    path(_plan + "endorse/", views.plan_endorse, name="plan_endorse"),
    path(_plan + "return/", views.plan_return, name="plan_return"),
    path(_plan + "copy/", views.plan_copy, name="plan_copy"),
    path(_plan + "review/", views.plan_review, name="plan_review"),
    path(_plan + "pdf/", views.plan_pdf, name="plan_pdf"),
    path(_plan + "concerns/new/", views.concern_form, name="concern_add"),
    path(_plan + "concerns/<int:concern_id>/", views.concern_form, name="concern_edit"),
    path(_plan + "goals/new/", views.goal_form, name="goal_add"),
    path(_plan + "goals/<int:goal_id>/", views.goal_form, name="goal_edit"),
    path(_plan + "goals/<int:goal_id>/progress/", views.goal_review, name="goal_review"),
    path(_plan + "actions/new/", views.action_form, name="action_add"),
    path(_plan + "actions/<int:action_id>/", views.action_form, name="action_edit"),
    path(_plan + "actions/<int:action_id>/progress/", views.action_complete, name="action_complete"),
    path(_plan + "actions/<int:action_id>/withdraw/", views.action_withdraw, name="action_withdraw"),
    path(_plan + "actions/<int:action_id>/reinstate/", views.action_reinstate, name="action_reinstate"),
    path(_plan + "children/<int:member_id>/prognosis/", views.prognosis_record, name="prognosis_record"),
    path(_plan + "children/<int:member_id>/alternate-plan/", views.alternate_plan_record, name="alternate_plan"),
    path(_plan + "children/<int:member_id>/alternate-plan/decide/", views.alternate_plan_decide,
         name="alternate_plan_decide"),
]

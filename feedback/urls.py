from django.urls import path

from . import staff_views, views

app_name = "feedback"
urlpatterns = [
    path("feedback/<str:token>/", views.answer, name="answer"),
    path("staff/feedback/<slug:slug>/", staff_views.season_results, name="season_results"),
    path("staff/feedback/surveys/<int:pk>/", staff_views.survey_results, name="survey_results"),
    path("staff/feedback/<slug:slug>/send/", staff_views.survey_send, name="survey_send"),
]

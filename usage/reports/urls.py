from django.urls import path

from . import views

app_name = "season_reports"
urlpatterns = [
    path("portal/season-reports/<int:pk>.pdf", views.season_report_download, name="download"),
    path("staff/season-reports/<int:pk>/", views.season_report_batch_progress, name="progress"),
]

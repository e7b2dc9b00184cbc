from django.urls import path

from . import report_views, views

app_name = "analysis"
urlpatterns = [
    path("portal/analysis/", views.analysis_home, name="analysis_home"),
    path("portal/analysis/<str:code>/", views.analysis_detail, name="analysis_detail"),
    path("portal/analysis/<str:code>/report.pdf", views.analysis_pdf, name="analysis_pdf"),
    path("staff/analysis/", views.network_table, name="network_table"),
    path(
        "portal/analysis/<str:code>/reports/<int:pk>.pdf",
        report_views.report_download,
        name="report_download",
    ),
    path(
        "staff/analysis/reports/<int:pk>/",
        report_views.report_batch_progress,
        name="report_batch_progress",
    ),
    path("staff/analysis/table.xlsx", views.network_table_xlsx, name="network_table_xlsx"),
    path("staff/analysis/network/", views.network_overview, name="network_overview"),
    path("staff/analysis/network.xlsx", views.network_overview_xlsx, name="network_overview_xlsx"),
]

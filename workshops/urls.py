from django.urls import path

from . import views

app_name = "workshops"
urlpatterns = [
    path("portal/workshops/", views.workshop_list, name="workshop_list"),
    path("portal/workshops/new/", views.workshop_propose, name="workshop_propose"),
    path("portal/workshops/<int:pk>/", views.workshop_detail, name="workshop_detail"),
    path("portal/workshops/<int:pk>/edit/", views.workshop_edit, name="workshop_edit"),
    path(
        "portal/workshops/<int:pk>/status/", views.workshop_transition, name="workshop_transition"
    ),
    path("portal/workshops/<int:pk>/comments/", views.comment_add, name="comment_add"),
    path("portal/workshops/<int:pk>/files/", views.deliverable_upload, name="deliverable_upload"),
    path("portal/workshops/<int:pk>/calendar.ics", views.workshop_ics, name="workshop_ics"),
    path(
        "portal/workshops/files/<int:pk>/", views.deliverable_download, name="deliverable_download"
    ),
    path("portal/consultant/", views.consultant_home, name="consultant_home"),
    path("staff/workshops/<slug:slug>/", views.season_overview, name="season_overview"),
    path(
        "staff/workshops/<slug:slug>.xlsx", views.season_overview_xlsx, name="season_overview_xlsx"
    ),
]

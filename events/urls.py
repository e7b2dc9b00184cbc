from django.urls import path

from . import staff_views, views

app_name = "events"
urlpatterns = [
    path("portal/events/", views.event_list, name="event_list"),
    path("portal/events/<int:pk>/", views.event_detail, name="event_detail"),
    path("portal/events/<int:pk>/register/", views.event_register, name="event_register"),
    path("portal/events/<int:pk>/calendar.ics", views.event_ics, name="event_ics"),
    path(
        "portal/registrations/<int:pk>/cancel/",
        views.registration_cancel,
        name="registration_cancel",
    ),
    path("portal/materials/<int:pk>/", views.material_download, name="material_download"),
    path("portal/news/", views.announcement_list, name="announcement_list"),
    path("portal/news/<int:pk>/", views.announcement_detail, name="announcement_detail"),
    path("portal/news/files/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("portal/calendar/", views.calendar_feed, name="calendar_feed"),
    path("calendar/<str:token>.ics", views.calendar_feed_ics, name="calendar_feed_ics"),
    path(
        "staff/events/<int:pk>/participants.csv",
        staff_views.participants_export,
        {"fmt": "csv"},
        name="participants_csv",
    ),
    path(
        "staff/events/<int:pk>/participants.xlsx",
        staff_views.participants_export,
        {"fmt": "xlsx"},
        name="participants_xlsx",
    ),
    path(
        "staff/seasons/<slug:slug>/attendance.xlsx",
        staff_views.attendance_report,
        name="attendance_report",
    ),
]

from django.urls import path

from . import views

app_name = "municipalities"
urlpatterns = [
    path("portal/", views.dashboard_view, name="dashboard"),
    path("portal/contacts/", views.contact_list, name="contact_list"),
    path("portal/contacts/new/", views.contact_create, name="contact_create"),
    path("portal/contacts/<int:pk>/", views.contact_update, name="contact_update"),
    path("portal/logout-everywhere/", views.logout_everywhere, name="logout_everywhere"),
]

from django.urls import path

from . import views
from .renewal import views as renewal

app_name = "municipalities"
urlpatterns = [
    path("portal/", views.dashboard_view, name="dashboard"),
    path("portal/contacts/", views.contact_list, name="contact_list"),
    path("portal/contacts/new/", views.contact_create, name="contact_create"),
    path("portal/contacts/<int:pk>/", views.contact_update, name="contact_update"),
    path("portal/logout-everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("portal/offers/<int:pk>/", renewal.offer_detail, name="offer_detail"),
    path("portal/offers/<int:pk>/letter.pdf", renewal.offer_letter, name="offer_letter"),
    path("portal/invoicing-details/", renewal.invoicing_details, name="invoicing_details"),
    path("staff/renewal/<slug:slug>/", renewal.pipeline, name="renewal_pipeline"),
    path("staff/renewal/<slug:slug>/offers.xlsx", renewal.pipeline_xlsx, name="renewal_xlsx"),
]

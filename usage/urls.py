from django.urls import path

from . import views

app_name = "usage"

urlpatterns = [
    path("staff/usage/<slug:slug>/", views.usage_matrix, name="matrix"),
    path("staff/usage/<slug:slug>.xlsx", views.usage_matrix_xlsx, name="matrix_xlsx"),
]

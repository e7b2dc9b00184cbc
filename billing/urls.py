from django.urls import path

from . import views

app_name = "billing"
urlpatterns = [
    path("portal/invoices/", views.invoice_list, name="invoice_list"),
    path("portal/invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("staff/invoices/<int:pk>/finvoice.xml", views.invoice_finvoice, name="invoice_finvoice"),
    path("staff/billing/<slug:slug>/<int:year>/export.zip", views.export_zip, name="export_zip"),
    path("staff/billing/batches/<int:pk>/", views.batch_progress, name="batch_progress"),
]

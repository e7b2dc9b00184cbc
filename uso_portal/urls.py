from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import password_reset, views
from .forms import LoginForm
from .twofactor import views as twofactor

auth_patterns = [
    path(
        "",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=LoginForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/two-factor/", twofactor.verify, name="otp_verify"),
    path("account/two-factor/setup/", twofactor.setup, name="otp_setup"),
    path("account/two-factor/setup/<str:token>/", twofactor.enrol, name="otp_enrol"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", password_reset.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

# Django's own 400s (too many fields, a bad Host header) on the portal's page.
handler400 = "uso_portal.guards.bad_request"
# The branded 500 page with the request context (CSRF token, language), static if that fails.
handler500 = "uso_portal.errors.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    *auth_patterns,
    path("", include("municipalities.urls")),
    path("", include("events.urls")),
    path("", include("workshops.urls")),
    path("", include("billing.urls")),
    path("", include("analysis.urls")),
    path("", include("feedback.urls")),
    path("", include("usage.urls")),
    path("", include("usage.reports.urls")),
]

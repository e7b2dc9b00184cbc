"""The admin site: staff only, and only past the second factor.

`SecondFactorRequiredMiddleware` already sends an unverified staff user to verification before
any admin page; the site checks it again itself, so that the admin stays closed even if the
middleware were removed or reordered.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    site_header = _("USO network administration")
    site_title = _("USO administration")
    index_title = _("Administration")

    @property
    def login_form(self):
        """The admin's login checks the address's length too (imported late: this module is
        loaded with the app registry)."""
        from .forms import AdminLoginForm

        return AdminLoginForm

    def has_permission(self, request) -> bool:
        return super().has_permission(request) and request.user.is_verified()


class PortalAdminConfig(AdminConfig):
    default_site = "uso_portal.admin.PortalAdminSite"

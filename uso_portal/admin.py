"""The admin site: staff only, and only past the second factor.

`SecondFactorRequiredMiddleware` already sends an unverified staff user to verification before
any admin page; the site checks it again itself, so that the admin stays closed even if the
middleware were removed or reordered.

Every model's change list is `PortalChangeList`: a date-hierarchy parameter out of range
(`?start__year=99999999999999999999`, `?start__year=9999`) is Django's "incorrect lookup"
message, as other bad filter values are, instead of an OverflowError or ValueError (a 500).
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.utils.translation import gettext_lazy as _


class PortalChangeList(ChangeList):
    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:  # Django's date hierarchy, unguarded
            raise IncorrectLookupParameters(error) from error


def portal_changelist(request, **kwargs):
    return PortalChangeList


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

    def register(self, model_or_iterable, admin_class=None, **options):
        """Each registered admin (third-party ones too) uses PortalChangeList, unless it chose
        a change list of its own."""
        super().register(model_or_iterable, admin_class, **options)
        for model_admin in self._registry.values():
            if type(model_admin).get_changelist is admin.ModelAdmin.get_changelist:
                model_admin.get_changelist = portal_changelist

    def has_permission(self, request) -> bool:
        return super().has_permission(request) and request.user.is_verified()


class PortalAdminConfig(AdminConfig):
    default_site = "uso_portal.admin.PortalAdminSite"

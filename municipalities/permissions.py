"""Access rules of portal views. Object scoping itself lives in `scoping.py`."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _


def municipal_contact_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Only a municipality's own contact persons; others logged in get 403, anonymous log in."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.municipality_id is None:
            raise PermissionDenied(_("This page is for the contact persons of a municipality."))
        return view(request, *args, **kwargs)

    return wrapper

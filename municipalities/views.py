"""Portal views of the municipal contact's side: dashboard and contact persons."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import dashboard, selectors, services
from .forms import ContactPersonForm
from .models import ContactPerson, Season
from .permissions import municipal_contact_required


@login_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_municipal_contact:
        may_see_usage = user.has_perm("municipalities.view_usage_matrix")
        season = Season.objects.current() if may_see_usage else None
        return render(request, "municipalities/staff_home.html", {"usage_season": season})
    membership = selectors.membership_current_for(user=user)
    # the membership comes with its municipality: no second query for it
    municipality = membership.municipality if membership else selectors.municipality_for(user=user)
    context = {
        "municipality": municipality,
        "membership": membership,
        "contacts": selectors.active_contacts_for(user=user),
        "panels": dashboard.panels_for(user, membership),
    }
    return render(request, "municipalities/dashboard.html", context)


@municipal_contact_required
def contact_list(request: HttpRequest) -> HttpResponse:
    contacts = selectors.contact_person_list_for(user=request.user)
    return render(request, "municipalities/contact_list.html", {"contacts": contacts})


@municipal_contact_required
def contact_create(request: HttpRequest) -> HttpResponse:
    municipality = selectors.municipality_for(user=request.user)
    form = ContactPersonForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            contact = services.contact_person_create(
                municipality=municipality,
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                title=data["title"],
                role=data["role"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Contact person %(name)s added.") % {"name": contact.name})
            return redirect("municipalities:contact_list")
    return render(request, "municipalities/contact_form.html", {"form": form})


@municipal_contact_required
def contact_update(request: HttpRequest, pk: int) -> HttpResponse:
    contact = ContactPerson.objects.get_visible_or_404(request.user, pk=pk)
    form = ContactPersonForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_person_update(contact=contact, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Contact person %(name)s saved.") % {"name": contact.name})
            return redirect("municipalities:contact_list")
    return render(request, "municipalities/contact_form.html", {"form": form, "contact": contact})


@login_required
@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    """End the user's sessions on every device, then this one."""
    services.user_logout_everywhere(user=request.user)
    logout(request)
    messages.success(request, _("You were logged out on every device."))
    return redirect("login")

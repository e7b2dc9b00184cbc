"""Django's own interface strings that its fi/sv catalogues lack (new in Django 6.x).

Listed here so that `make makemessages` keeps them in the project's catalogues, which take
precedence over Django's (LOCALE_PATHS). Remove an entry when Django translates it. The admin's
JavaScript strings are in the hand-kept `locale/*/LC_MESSAGES/djangojs.po`.
tests/uso_portal/test_admin_translations.py checks both in the admin.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

STRINGS = (
    gettext_noop("- Select an option -"),  # BLANK_CHOICE_LABEL of model choice fields
    gettext_noop("Run"),  # the admin's action button
    # admin/date_hierarchy.html
    gettext_noop("Filter by %(field_name)s"),
    # admin/search_form.html, pagination.html, object_history.html, app_list.html
    gettext_noop("Search %(name)s"),
    gettext_noop("Pagination %(name)s"),
    gettext_noop("Pagination %(name)s entries"),
    gettext_noop("Change or view list link"),
    # admin/delete_confirmation.html
    # The admin's delete confirmations (delete_confirmation.html), untranslated in Finnish.
    gettext_noop(
        "Are you sure you want to delete the %(object_name)s “%(escaped_object)s”? All of the "
        "following related items will be deleted:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s “%(escaped_object)s” would require deleting the following "
        "protected related objects:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s “%(escaped_object)s” would result in deleting related "
        "objects, but your account doesn't have permission to delete the following types of "
        "objects:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s “%(escaped_object)s” would require deleting the "
        "following protected related objects:"
    ),
    gettext_noop(
        "Are you sure you want to delete the %(object_name)s “%(escaped_object)s”? All of the "
        "following related items will be deleted:"
    ),
    # registration/logged_out.html
    gettext_noop("Logout"),
    # ModelAdmin: the objects a bulk delete would protect or cascade to
    gettext_noop('The app "%s" could not be found.'),
    ngettext_lazy("…and %(count)d more object.", "…and %(count)d more objects.", 1),
    # Screen-reader labels of the admin's change lists.
    gettext_noop("Change or view list link"),
    gettext_noop("Pagination %(name)s"),
    gettext_noop("Pagination %(name)s entries"),
    gettext_noop("Search %(name)s"),
    # A foreign key's validation error (django/conf/locale).
    gettext_noop("%(model)s instance with %(field)s %(value)r is not a valid choice."),
)

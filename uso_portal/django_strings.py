"""Django's own interface strings that its fi/sv catalogues lack (new in Django 6.x).

Listed here so that `make makemessages` keeps them in the project's catalogues, which take
precedence over Django's (LOCALE_PATHS). Remove an entry when Django translates it.
"""

from django.utils.translation import gettext_noop

STRINGS = (
    gettext_noop("- Select an option -"),  # BLANK_CHOICE_LABEL of model choice fields
    gettext_noop("Run"),  # the admin's action button
)

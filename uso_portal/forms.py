"""The login forms: the portal's and the admin's."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class LengthCheckedUsername:
    """Django sets the username field's max_length after the field is built, so nothing checks
    it: a 300-character "e-mail address" went on to authentication and to the lockout table,
    whose column is 255 characters (a 500 on PostgreSQL). Here it is a form error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class LoginForm(LengthCheckedUsername, AuthenticationForm):
    pass


class AdminLoginForm(LengthCheckedUsername, AdminAuthenticationForm):
    pass

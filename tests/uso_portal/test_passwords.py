"""Password storage: Argon2id with explicit parameters; older PBKDF2 hashes upgrade at login.

(The rest of the suite hashes with MD5 for speed; these tests use the production hashers.)
"""

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher, make_password
from django.test import Client, override_settings
from django.urls import reverse

from uso_portal import settings as production_settings

from ..municipalities.factories import ContactUserFactory

pytestmark = pytest.mark.django_db

production_hashers = override_settings(PASSWORD_HASHERS=production_settings.PASSWORD_HASHERS)


@production_hashers
def test_new_passwords_are_hashed_with_argon2id_owasp_parameters():
    encoded = make_password("pitkä salasana 123")
    assert encoded.startswith("argon2$argon2id$v=19$m=47104,t=1,p=1$")
    assert identify_hasher(encoded).verify("pitkä salasana 123", encoded)
    assert not identify_hasher(encoded).verify("väärä", encoded)


@production_hashers
def test_a_pbkdf2_hash_still_logs_in_and_is_upgraded(network):
    user = ContactUserFactory()
    user.password = PBKDF2PasswordHasher().encode("vanha salasana", "suola1234567890ab")
    user.save(update_fields=["password"])
    client = Client()
    response = client.post(reverse("login"), {"username": user.email, "password": "vanha salasana"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("vanha salasana")


def test_the_test_suite_alone_uses_a_fast_hasher():
    assert settings.PASSWORD_HASHERS != production_settings.PASSWORD_HASHERS

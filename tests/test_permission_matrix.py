"""Every URL of the portal, for every persona: the expected status code.

A URL that is not in MATRIX fails `test_every_url_is_in_the_matrix`: adding a view means deciding
who may see it. Expected codes: 200 shown, 302 redirect (anonymous → login), 403 forbidden,
404 another municipality's object, 405 wrong method.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .conftest import PERSONAS, client_for

LOGIN = "login"
A, B = "contact_a", "contact_b"
STAFFS = ("consultant", "staff", "finance")


def everyone(code: int) -> dict[str, int]:
    return dict.fromkeys(PERSONAS, code)


def logged_in(code: int, *, anonymous: int = 302) -> dict[str, int]:
    return {**everyone(code), "anonymous": anonymous}


def contacts_only(*, own: int = 200, other: int = 200) -> dict[str, int]:
    return {"anonymous": 302, A: own, B: other, **dict.fromkeys(STAFFS, 403)}


# name -> (kwargs from the network fixture, method, expected per persona)
MATRIX = {
    "healthz": (None, "get", everyone(200)),
    "set_language": (None, "post", everyone(302)),
    "login": (None, "get", {**everyone(302), "anonymous": 200}),
    "logout": (None, "get", everyone(405)),
    "password_change": (None, "get", logged_in(200)),
    "password_change_done": (None, "get", logged_in(200)),
    "password_reset": (None, "get", everyone(200)),
    "password_reset_done": (None, "get", everyone(200)),
    "password_reset_confirm": (
        lambda n: {"uidb64": "MQ", "token": "invalid-token"},
        "get",
        everyone(200),
    ),
    "password_reset_complete": (None, "get", everyone(200)),
    "municipalities:dashboard": (None, "get", logged_in(200)),
    "municipalities:contact_list": (None, "get", contacts_only()),
    "municipalities:contact_create": (None, "get", contacts_only()),
    "municipalities:contact_update": (
        lambda n: {"pk": n.contact_person_a.pk},
        "get",
        contacts_only(own=200, other=404),
    ),
}

EXCLUDED_NAMESPACES = {"admin"}  # Django's admin has its own permission system and tests


def project_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in EXCLUDED_NAMESPACES:
                    continue
                inner = pattern.namespace or namespace
                if pattern.namespace and namespace:
                    inner = f"{namespace}:{pattern.namespace}"
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


def test_every_url_is_in_the_matrix():
    names = project_url_names()
    missing, stale = sorted(names - set(MATRIX)), sorted(set(MATRIX) - names)
    assert not missing and not stale, f"URLs without a MATRIX row: {missing}; stale rows: {stale}"


CASES = [(name, persona) for name in MATRIX for persona in PERSONAS]


@pytest.mark.parametrize(("name", "persona"), CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_permission_matrix(network, name, persona):
    kwargs_for, method, expected = MATRIX[name]
    url = reverse(name, kwargs=kwargs_for(network) if kwargs_for else None)
    client = client_for(network, persona)

    response = getattr(client, method)(
        url, {"language": "fi", "next": "/"} if method == "post" else {}
    )

    assert response.status_code == expected[persona], f"{persona} {method.upper()} {url}"
    if response.status_code == 302 and persona == "anonymous" and name not in ("set_language",):
        assert response.url.startswith(reverse(LOGIN))

"""The operators' user admin compares usernames as sign-in does, and takes new ones in ASCII."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from essportal.models import User

NEW_PASSWORD = "rustig-brood-bakken-42"


@pytest.fixture
def operator(db):
    client = Client()
    client.force_login(User.objects.create_superuser("operator", "ops@example.test", "x"))
    return client


def add_user(operator, username):
    with translation.override("en"):
        return operator.post(
            reverse("admin:essportal_user_add"),
            {
                "username": username,
                "usable_password": "true",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
        )


def test_the_admin_adds_an_ascii_username(operator):
    response = add_user(operator, "kees.de.vries")
    assert response.status_code == 302
    assert User.objects.get(username="kees.de.vries").username_key == "kees.de.vries"


def test_the_admin_refuses_a_new_username_with_an_accent(operator):
    response = add_user(operator, "jöran")
    assert response.status_code == 200
    assert "username" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="jöran").exists()


@pytest.mark.parametrize("older, new", [("straße", "strasse"), ("\u212aees", "kees")])
def test_the_admin_refuses_a_username_an_older_account_reaches_under_another_spelling(
    operator, older, new
):
    User.objects.create(username=older)  # named before usernames were ASCII-only
    response = add_user(operator, new)
    assert response.status_code == 200
    assert "username" in response.context["adminform"].form.errors
    assert not User.objects.filter(username=new).exists()


def rename(operator, user, username):
    url = reverse("admin:essportal_user_change", args=[user.pk])
    form = operator.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("password", "last_login", "date_joined")
    }
    data.update(username=username, date_joined_0="2026-01-01", date_joined_1="12:00:00")
    return operator.post(url, data)


def test_renaming_in_the_admin_to_a_free_ascii_name_works(operator):
    kees = User.objects.create(username="kees")
    assert rename(operator, kees, "Kees.Jansen").status_code == 302
    kees.refresh_from_db()
    assert kees.username_key == "kees.jansen"


def test_renaming_in_the_admin_to_another_accounts_spelling_is_refused(operator):
    User.objects.create(username="straße")
    kees = User.objects.create(username="kees")
    response = rename(operator, kees, "STRASSE")
    assert response.status_code == 200
    assert "username" in response.context["adminform"].form.errors
    kees.refresh_from_db()
    assert kees.username == "kees"

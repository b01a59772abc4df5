"""How usernames compare: one key for sign-in, the lockout and every uniqueness check."""

import pytest

from essportal.models import User, username_key


@pytest.mark.parametrize(
    "typed, key",
    [
        ("anna.bakker", "anna.bakker"),
        ("Anna.Bakker", "anna.bakker"),
        ("  anna.bakker\t", "anna.bakker"),
        ("ａｎｎａ．ｂａｋｋｅｒ", "anna.bakker"),  # full-width
        ("\u212aees", "kees"),  # Kelvin sign
        ("ﬁnn", "finn"),  # ligature
        ("Straße", "strasse"),
        ("STRAẞE", "strasse"),  # capital sharp s
        ("jo\u0308ran", "jöran"),  # decomposed ö
        ("JÖRAN", "jöran"),
        ("hr-v\u0131ewer", "hr-v\u0131ewer"),  # a dotless ı stays itself
        ("HR-V\u0130EWER", "hr-vi\u0307ewer"),  # and a dotted İ is no plain i either
    ],
)
def test_the_username_key_folds_case_width_and_outer_spaces(typed, key):
    assert username_key(typed) == key


def test_saving_a_new_username_keeps_its_key_in_step(db):
    user = User.objects.create(username="Kees")
    user.username = "Kees.Jansen"
    user.save(update_fields=["username"])
    user.refresh_from_db()
    assert user.username_key == "kees.jansen"
    assert User.objects.get_by_natural_key("KEES.JANSEN") == user

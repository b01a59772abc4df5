"""The deployment's argon2id parameters (essportal/hashers.py) and the upgrade of older hashes."""

from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, make_password

from essportal.hashers import PortalArgon2PasswordHasher


def test_new_passwords_use_argon2id_with_the_chosen_parameters():
    encoded = make_password("kleine groene kikkers dansen")
    assert encoded.startswith("argon2$argon2id$v=19$m=65536,t=2,p=1$")
    assert PortalArgon2PasswordHasher.memory_cost >= 19 * 1024  # RFC 9106 / OWASP minimum
    assert PortalArgon2PasswordHasher.time_cost >= 2


def test_a_hash_with_django_defaults_still_verifies_and_is_upgraded():
    old = Argon2PasswordHasher().encode("kleine groene kikkers dansen", "saltsaltsaltsalt")
    assert "m=102400,t=2,p=8" in old
    upgraded = []
    assert check_password("kleine groene kikkers dansen", old, setter=upgraded.append)
    assert upgraded == ["kleine groene kikkers dansen"]
    assert not check_password("wrong password here", old)

"""Passwords are hashed with Argon2id; an older PBKDF2 hash is upgraded when its owner logs in."""

from django.contrib.auth.hashers import make_password
from django.test import override_settings
from django.urls import reverse

from strategies.models import Membership
from tests import factories
from tests.test_production_settings import PRODUCTION_ENV, run_manage

PRODUCTION_HASHERS = [
    "perfreport.hashers.TunedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]


def test_production_hashes_new_passwords_with_argon2():
    code = (
        "from django.contrib.auth.hashers import make_password; "
        "print(make_password('a-new-password-123'))"
    )
    result = run_manage("shell", "--no-imports", "-c", code, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_a_pbkdf2_hash_becomes_argon2_at_login(client, org, unit_a):
    user = factories.make_user("old-hash", org, Membership.Role.STAFF, unit_a)
    user.password = make_password(
        "an-old-password-123", hasher="pbkdf2_sha256"
    )  # as stored before Argon2
    user.save(update_fields=["password"])
    response = client.post(
        reverse("login"), {"username": "old-hash", "password": "an-old-password-123"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert user.check_password("an-old-password-123")


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_a_wrong_password_changes_nothing(client, org, unit_a):
    user = factories.make_user("old-hash", org, Membership.Role.STAFF, unit_a)
    old = make_password("an-old-password-123", hasher="pbkdf2_sha256")
    user.password = old
    user.save(update_fields=["password"])
    client.post(reverse("login"), {"username": "old-hash", "password": "wrong-password-1"})
    user.refresh_from_db()
    assert user.password == old

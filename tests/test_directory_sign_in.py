"""Directory sign-in against a real OpenLDAP server (Debian's slapd, started by the fixture).

Through the real login form: a directory user signs in; a wrong password, a disabled account
and an account removed from the directory are refused; a mapped group gives the first role;
a user without one waits on the users page for an admin; axes locks out repeated failures.
"""

import ldap
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from perfreport.ldap_config import BACKEND, ldap_settings
from strategies.models import DirectoryGroupMapping, Membership
from tests import ldap_server as d
from tests.conftest import login

pytestmark = pytest.mark.django_db
User = get_user_model()
Role = Membership.Role


def configure(server, settings, monkeypatch, org, **extra):
    env = {
        "LDAP_SERVER_URI": server.uri,
        "LDAP_BIND_DN": d.BIND_DN,
        "LDAP_BIND_PASSWORD": d.PASSWORD,
        "LDAP_USER_SEARCH_BASE": d.PEOPLE,
        "LDAP_USER_FILTER": d.USER_FILTER,
        "LDAP_GROUP_SEARCH_BASE": d.GROUPS,
        "LDAP_ORGANIZATION": org.code,
        **extra,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name, value in ldap_settings().items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND]
    return server


@pytest.fixture
def directory(slapd, settings, monkeypatch, org):
    """The app configured from the environment, as production is, against the test slapd."""
    return configure(slapd, settings, monkeypatch, org)


def sign_in(client, username, password=d.PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def signed_in_as(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id).username if user_id else None


def test_a_directory_user_signs_in_and_waits_for_a_role(client, directory, admin_user):
    response = sign_in(client, "carol")
    assert response.status_code == 302
    assert signed_in_as(client) == "carol"
    carol = User.objects.get(username="carol")
    # Name and address come from the directory; the local account has no password of its own.
    assert carol.first_name == "陳卡蘿"
    assert carol.email == "carol@khh.example"
    assert not carol.has_usable_password()
    assert not Membership.objects.filter(user=carol).exists()
    assert "您的帳號尚未加入任何機關" in client.get(reverse("home")).content.decode()

    admin = login(client.__class__(), admin_user)
    page = admin.get(reverse("manage:users")).content.decode()
    assert "待指派角色" in page
    assert f'id="waiting-{carol.pk}"' in page
    assert "陳卡蘿" in page


def test_an_admin_gives_a_waiting_user_a_role(client, directory, admin_user, unit_b):
    sign_in(client, "carol")
    carol = User.objects.get(username="carol")
    admin = login(client.__class__(), admin_user)
    url = reverse("manage:user-assign-role", args=[carol.pk])

    refused = admin.post(url, {"role": Role.STAFF, "unit": ""})
    assert refused.status_code == 400
    assert "承辦人與主管必須指定所屬單位" in refused.content.decode()
    assert not Membership.objects.filter(user=carol).exists()

    assert admin.post(url, {"role": Role.STAFF, "unit": unit_b.pk}).status_code == 302
    membership = Membership.objects.get(user=carol)
    assert (membership.role, membership.unit) == (Role.STAFF, unit_b)
    assert membership.history.get().history_change_reason == "指派角色：承辦人"
    # No longer waiting: the page lists her as a member and the form is gone.
    assert f'id="waiting-{carol.pk}"' not in admin.get(reverse("manage:users")).content.decode()
    assert admin.get(url).status_code == 404


def test_a_mapped_group_gives_the_first_role_and_unit(client, directory, unit_a):
    DirectoryGroupMapping.objects.create(
        organization=unit_a.organization,
        group_dn=d.group_dn("perf-metrology-heads").upper(),  # DNs compare case-insensitively
        role=Role.HEAD,
        unit=unit_a,
    )
    DirectoryGroupMapping.objects.create(
        organization=unit_a.organization,
        group_dn=d.group_dn("perf-metrology-staff"),
        role=Role.STAFF,
        unit=unit_a,
    )
    sign_in(client, "bob")
    sign_in(client.__class__(), "alice")
    bob = Membership.objects.get(user__username="bob")
    alice = Membership.objects.get(user__username="alice")
    assert (bob.role, bob.unit, alice.role, alice.unit) == (Role.HEAD, unit_a, Role.STAFF, unit_a)
    assert alice.history.get().history_change_reason.startswith("目錄群組對應：cn=perf-metrology")


def test_an_admins_decision_outlives_the_group_mapping(client, directory, unit_a, unit_b):
    sign_in(client, "alice")  # no mapping yet: waiting
    alice = User.objects.get(username="alice")
    Membership.objects.create(
        user=alice, organization=unit_b.organization, role=Role.HEAD, unit=unit_b
    )
    DirectoryGroupMapping.objects.create(
        organization=unit_a.organization,
        group_dn=d.group_dn("perf-metrology-staff"),
        role=Role.STAFF,
        unit=unit_a,
    )
    sign_in(client.__class__(), "alice")
    membership = Membership.objects.get(user=alice)
    assert (membership.role, membership.unit) == (Role.HEAD, unit_b)


def test_a_wrong_password_is_refused_and_creates_nothing(client, directory):
    response = sign_in(client, "alice", "not-her-password")
    assert response.status_code == 200
    assert 'id="login-errors"' in response.content.decode()
    assert signed_in_as(client) is None
    assert not User.objects.filter(username="alice").exists()


def test_a_disabled_directory_account_cannot_sign_in(client, directory):
    response = sign_in(client, "dave")
    assert response.status_code == 200
    assert 'id="login-errors"' in response.content.decode()
    assert signed_in_as(client) is None
    assert not User.objects.filter(username="dave").exists()


def test_a_user_removed_from_the_directory_cannot_sign_in_and_history_stays(
    client, directory, unit_a
):
    sign_in(client, "erin")
    erin = User.objects.get(username="erin")
    Membership.objects.create(
        user=erin, organization=unit_a.organization, role=Role.STAFF, unit=unit_a
    )
    directory.delete(d.user_dn("erin", "metrology"))

    other = client.__class__()
    assert sign_in(other, "erin").status_code == 200
    assert signed_in_as(other) is None
    # The account and its membership stay, for the entries and history that name her.
    assert Membership.objects.filter(user__username="erin", unit=unit_a).exists()


def test_local_accounts_keep_working_beside_the_directory(client, directory, staff_a):
    assert sign_in(client, "staff_a", "test-pass-123").status_code == 302
    assert signed_in_as(client) == "staff_a"


def test_repeated_failures_lock_a_directory_user_out(client, directory, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "alice", "wrong")
    # Even the right directory password is refused while locked out.
    response = sign_in(client, "alice")
    assert response.status_code == 429
    assert signed_in_as(client) is None


def test_starttls_on_a_server_without_tls_refuses_instead_of_sending_in_clear(
    client, directory, settings
):
    settings.AUTH_LDAP_START_TLS = True
    assert sign_in(client, "alice").status_code == 200
    assert signed_in_as(client) is None


def test_starttls_with_the_agencys_ca_signs_in(client, slapd_tls, settings, monkeypatch, org):
    configure(
        slapd_tls,
        settings,
        monkeypatch,
        org,
        LDAP_START_TLS="true",
        LDAP_TLS_CA_FILE=str(slapd_tls.cert.ca),
    )
    assert sign_in(client, "alice").status_code == 302
    assert signed_in_as(client) == "alice"


def test_starttls_refuses_a_certificate_it_cannot_verify(
    client, slapd_tls, settings, monkeypatch, org, tmp_path
):
    from tests.certs import make_server_cert

    (tmp_path / "other").mkdir()
    other_ca = make_server_cert(tmp_path / "other")  # a CA that did not sign slapd's certificate
    configure(
        slapd_tls,
        settings,
        monkeypatch,
        org,
        LDAP_START_TLS="true",
        LDAP_TLS_CA_FILE=str(other_ca.ca),
    )
    assert sign_in(client, "alice").status_code == 200
    assert signed_in_as(client) is None
    assert not User.objects.filter(username="alice").exists()


def test_the_admin_maps_a_group_and_a_bad_dn_is_refused(client, directory, admin_user, unit_a):
    login(client, admin_user)
    url = reverse("manage:directory-groups")
    bad = client.post(url, {"group_dn": "perf-staff", "role": Role.STAFF, "unit": unit_a.pk})
    assert bad.status_code == 400
    assert "請填寫群組的完整 DN" in bad.content.decode()
    assert not DirectoryGroupMapping.objects.exists()

    dn = d.group_dn("perf-metrology-staff")
    assert (
        client.post(url, {"group_dn": dn, "role": Role.STAFF, "unit": unit_a.pk}).status_code == 302
    )
    mapping = DirectoryGroupMapping.objects.get()
    assert dn in client.get(url).content.decode()
    client.post(reverse("manage:directory-group-remove", args=[mapping.pk]))
    assert not DirectoryGroupMapping.objects.exists()


def test_directory_pages_are_not_there_without_a_directory(client, admin_user, settings):
    settings.LDAP_ORGANIZATION = ""
    login(client, admin_user)
    assert client.get(reverse("manage:directory-groups")).status_code == 404
    assert "待指派角色" not in client.get(reverse("manage:users")).content.decode()


def test_directory_sign_in_is_off_without_a_server_uri(monkeypatch):
    monkeypatch.delenv("LDAP_SERVER_URI", raising=False)
    assert ldap_settings() == {"LDAP_ORGANIZATION": ""}


def test_a_server_uri_without_an_organization_fails_loudly(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("LDAP_SERVER_URI", "ldap://127.0.0.1:1")
    monkeypatch.delenv("LDAP_ORGANIZATION", raising=False)
    with pytest.raises(ImproperlyConfigured, match="LDAP_ORGANIZATION"):
        ldap_settings()


def test_the_directory_answers_as_the_tests_expect(slapd):
    """The fixture's own directory: guards the tests above against a silently empty server."""
    conn = ldap.initialize(slapd.uri)
    conn.simple_bind_s(d.BIND_DN, d.PASSWORD)
    found = conn.search_s(d.PEOPLE, ldap.SCOPE_SUBTREE, "(objectClass=inetOrgPerson)", ["uid"])
    conn.unbind_s()
    assert sorted(attrs["uid"][0].decode() for _dn, attrs in found) == sorted(
        uid for uid, *_rest in d.USERS
    )

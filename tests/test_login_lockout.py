"""Failed sign-ins lock one (user name, client address) pair, through the real login form.

A stranger guessing passwords must not lock out everyone behind the same address (the admin
included), nor lock a person out from every other place. Behind the proxy the client address
comes from the proxy's X-Forwarded-For; without a proxy that header is ignored, since any client
can send it.
"""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from perfreport.login_security import client_ip
from strategies.deadlines import TAIPEI
from strategies.models import Membership
from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

A = "203.0.113.10"
B = "198.51.100.20"
PROXY = "127.0.0.1"


def _sign_in(client: Client, username: str, password: str, **meta: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def _signed_in(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 302 and response.url == reverse("home")


def _from(ip: str, *, proxy: bool, forged: str = "") -> dict[str, str]:
    """The request's META as it reaches Django from a client at `ip`: through nginx (which
    appends the address it saw to whatever X-Forwarded-For the client sent), or directly."""
    if proxy:
        forwarded = f"{forged}, {ip}" if forged else ip
        return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}
    meta = {"REMOTE_ADDR": ip}
    if forged:
        meta["HTTP_X_FORWARDED_FOR"] = forged
    return meta


@pytest.fixture(params=[False, True], ids=["direct", "behind-proxy"])
def proxy(request, settings) -> bool:
    settings.BEHIND_PROXY = request.param
    return request.param


@pytest.fixture
def plain_admin(org):
    return factories.make_user("khh_admin", org, Membership.Role.ADMIN)


def test_wrong_passwords_for_many_names_do_not_lock_out_the_admin(
    client, settings, proxy, plain_admin, staff_a
):
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = _sign_in(client, f"guess{n}", "wrong", **_from(A, proxy=proxy))
        assert response.status_code == 200
    assert _signed_in(_sign_in(client, "khh_admin", PASSWORD, **_from(A, proxy=proxy)))
    client.logout()
    assert _signed_in(_sign_in(client, "staff_a", PASSWORD, **_from(A, proxy=proxy)))


def test_a_user_locked_out_at_one_address_still_signs_in_from_another(
    client, settings, proxy, staff_a
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "staff_a", "wrong", **_from(A, proxy=proxy))
    locked = _sign_in(client, "staff_a", PASSWORD, **_from(A, proxy=proxy))
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert _signed_in(_sign_in(client, "staff_a", PASSWORD, **_from(B, proxy=proxy)))


def test_a_forged_forwarded_header_neither_escapes_the_lock_nor_locks_others(
    client, settings, proxy, staff_a
):
    # The attacker at A claims to be B while guessing...
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "staff_a", "wrong", **_from(A, proxy=proxy, forged=B))
    # ...which locks A only: the real person at B signs in.
    assert _signed_in(_sign_in(client, "staff_a", PASSWORD, **_from(B, proxy=proxy)))
    client.logout()
    # And claiming yet another address from A does not lift A's lock.
    for forged in ("192.0.2.99", B, "not-an-address"):
        response = _sign_in(client, "staff_a", PASSWORD, **_from(A, proxy=proxy, forged=forged))
        assert response.status_code == 429, forged


@time_machine.travel(dt.datetime(2024, 3, 5, 10, 0, tzinfo=TAIPEI), tick=False)
@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("zh-hant", ["暫時無法登入", "請於 2024-03-05 11:00（臺北時間）之後再試", "機關管理者"]),
        ("en", ["Sign-in temporarily blocked", "Please try again after 2024-03-05 11:00"]),
    ],
)
def test_the_locked_out_page_says_when_to_try_again(client, settings, staff_a, language, texts):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "staff_a", "wrong", REMOTE_ADDR=A)
    response = _sign_in(client, "staff_a", PASSWORD, REMOTE_ADDR=A)
    assert response.status_code == 429
    html = response.content.decode()
    for text in texts:
        assert text in html


def test_behind_the_proxy_only_the_proxy_is_believed(rf, settings):
    settings.BEHIND_PROXY = True
    through_proxy = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"10.9.9.9, {A}")
    assert client_ip(through_proxy) == A
    # A client reaching the app server directly, past the proxy, is not believed.
    direct = rf.get("/", REMOTE_ADDR=B, HTTP_X_FORWARDED_FOR=A)
    assert client_ip(direct) == B
    settings.BEHIND_PROXY = False
    assert client_ip(through_proxy) == PROXY


def test_the_admin_unlocks_a_locked_out_member(client, settings, plain_admin, staff_a):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "staff_a", "wrong", REMOTE_ADDR=A)
    assert _sign_in(client, "staff_a", PASSWORD, REMOTE_ADDR=A).status_code == 429

    admin = Client()
    admin.force_login(plain_admin)
    page = admin.get(reverse("manage:users")).content.decode()
    row = page.split(f'id="member-{staff_a.membership.pk}"')[1].split("</tr>")[0]
    assert "登入鎖定中" in row
    unlock = reverse("manage:user-unlock", args=[staff_a.membership.pk])
    assert f'action="{unlock}"' in row
    response = admin.post(unlock, follow=True)
    assert "已解除「staff_a」的登入鎖定" in response.content.decode()
    assert "登入鎖定中" not in response.content.decode()
    record = staff_a.membership.history.first()
    assert (record.history_user, record.history_change_reason) == (
        plain_admin,
        "管理者解除登入鎖定",
    )
    assert _signed_in(_sign_in(client, "staff_a", PASSWORD, REMOTE_ADDR=A))


def test_a_member_who_is_not_locked_out_has_no_unlock_button(client, plain_admin, staff_a):
    client.force_login(plain_admin)
    page = client.get(reverse("manage:users")).content.decode()
    assert "登入鎖定中" not in page
    assert reverse("manage:user-unlock", args=[staff_a.membership.pk]) not in page

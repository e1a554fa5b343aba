"""Users: the admin creates accounts, assigns role and unit, deactivates and resets passwords."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from strategies.models import Membership
from tests import factories

pytestmark = pytest.mark.django_db

User = get_user_model()
GOOD = "Kaohsiung-2024-perf"


def _signs_in(client, username: str, password: str) -> bool:
    """Through the real login form (django-axes wants a request)."""
    client.logout()
    response = client.post("/login/", {"username": username, "password": password})
    return response.status_code == 302


def _new(**kw):
    data = {
        "username": "new_staff",
        "full_name": "新承辦人",
        "email": "",
        "role": "staff",
        "unit": "",
        "password1": GOOD,
        "password2": GOOD,
    }
    data.update(kw)
    return data


def test_create_a_user_who_can_sign_in(client, admin_user, org, unit_a):
    client.force_login(admin_user)
    response = client.post(reverse("manage:user-add"), _new(unit=unit_a.pk))
    assert response.status_code == 302
    user = User.objects.get(username="new_staff")
    assert (user.membership.organization, user.membership.unit, user.membership.role) == (
        org,
        unit_a,
        "staff",
    )
    assert user.membership.history.first().history_user == admin_user
    assert _signs_in(client, "new_staff", GOOD)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"unit": ""}, "承辦人與主管必須指定所屬單位"),
        ({"username": "staff_a"}, "已有人使用"),
        ({"password1": "123", "password2": "123"}, "密碼不符合規則"),
        ({"password2": "something-else-1"}, "兩次輸入的密碼不一致"),
    ],
)
def test_bad_new_user_is_refused(client, admin_user, unit_a, staff_a, overrides, message):
    client.force_login(admin_user)
    before = User.objects.count(), Membership.objects.count()
    data = _new(unit=unit_a.pk)
    data.update(overrides)
    response = client.post(reverse("manage:user-add"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (User.objects.count(), Membership.objects.count()) == before


def test_another_branchs_unit_cannot_be_assigned(client, admin_user, other_org):
    from tests import factories

    foreign = factories.make_unit(other_org, "秘書室")
    client.force_login(admin_user)
    client.post(reverse("manage:user-add"), _new(unit=foreign.pk))
    assert not User.objects.filter(username="new_staff").exists()


def test_change_role_and_unit_is_recorded(client, admin_user, staff_a, unit_b):
    client.force_login(admin_user)
    member = staff_a.membership
    client.post(
        reverse("manage:user-edit", args=[member.pk]),
        {"full_name": "秘書室主管", "email": "", "role": "head", "unit": unit_b.pk},
    )
    member.refresh_from_db()
    assert (member.role, member.unit) == ("head", unit_b)
    assert (
        member.history.first().history_change_reason == "角色 承辦人 → 主管；單位 度量衡科 → 秘書室"
    )


def test_deactivate_and_reactivate(client, admin_user, staff_a):
    client.force_login(admin_user)
    url = reverse("manage:user-active", args=[staff_a.membership.pk])
    client.post(url)
    staff_a.refresh_from_db()
    assert not staff_a.is_active
    assert not _signs_in(client, "staff_a", "test-pass-123")
    client.force_login(admin_user)
    client.post(url, {"active": "1"})
    staff_a.refresh_from_db()
    assert staff_a.is_active


def test_an_admin_cannot_lock_themselves_out(client, org):
    # A plain organization admin: a superuser's own account is not on these pages at all.
    admin = factories.make_user("khh_admin", org, Membership.Role.ADMIN)
    client.force_login(admin)
    member = admin.membership
    response = client.post(reverse("manage:user-active", args=[member.pk]), follow=True)
    assert "不能停用自己的帳號" in response.content.decode()
    response = client.post(
        reverse("manage:user-edit", args=[member.pk]),
        {"full_name": "x", "email": "", "role": "staff", "unit": ""},
    )
    admin.refresh_from_db()
    assert admin.is_active
    assert admin.membership.role == "admin"


def test_password_reset_by_the_admin(client, admin_user, staff_a):
    client.force_login(admin_user)
    url = reverse("manage:user-password", args=[staff_a.membership.pk])
    response = client.post(url, {"password1": "short", "password2": "short"})
    assert "密碼不符合規則" in response.content.decode()
    staff_a.refresh_from_db()
    assert staff_a.check_password("test-pass-123")
    client.post(url, {"password1": GOOD, "password2": GOOD})
    staff_a.refresh_from_db()
    assert staff_a.check_password(GOOD)
    assert staff_a.membership.history.first().history_change_reason == "管理者重設密碼"


def test_users_page_query_count_does_not_grow(
    client, admin_user, org, unit_a, django_assert_max_num_queries
):
    from tests import factories

    factories.make_user("u_first", org, "staff", unit_a)  # a page with a staff member to list
    client.force_login(admin_user)
    with django_assert_max_num_queries(12) as few:  # 11 + unread notices (the nav badge)
        client.get(reverse("manage:users"))
    for n in range(20):
        factories.make_user(f"u{n}", org, "staff", unit_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("manage:users"))
    # The 21 new members; admin_user is a superuser, run from Django's admin, not listed.
    assert response.content.decode().count('id="member-') == 21

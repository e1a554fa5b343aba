"""An organization's admin manages only the members of that organization who hold no more power
than they do: accounts of Django's admin site (superusers, is_staff) and members of another
organization are invisible (404) on the organization's user pages, and nothing about them
changes."""

import pytest
from django.urls import reverse

from strategies.models import Membership
from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

Role = Membership.Role
GOOD = "Takeover-2024-attempt"


@pytest.fixture
def plain_admin(org):
    return factories.make_user("khh_admin", org, Role.ADMIN)


@pytest.fixture
def superuser(org):
    return factories.make_user("root", org, Role.ADMIN, is_superuser=True, is_staff=True)


@pytest.fixture
def site_staff(org, unit_a):
    """A member who also works in Django's admin site (is_staff, not superuser)."""
    return factories.make_user("site_staff", org, Role.STAFF, unit_a, is_staff=True)


def _attempts(member: Membership) -> list[tuple[str, str, dict[str, str] | None]]:
    pk = member.pk
    return [
        ("get", reverse("manage:user-edit", args=[pk]), None),
        (
            "post",
            reverse("manage:user-edit", args=[pk]),
            {"full_name": "被接管", "email": "x@example.com", "role": "staff", "unit": ""},
        ),
        ("get", reverse("manage:user-password", args=[pk]), None),
        (
            "post",
            reverse("manage:user-password", args=[pk]),
            {"password1": GOOD, "password2": GOOD},
        ),
        ("post", reverse("manage:user-active", args=[pk]), {}),
        ("post", reverse("manage:user-unlock", args=[pk]), {}),
    ]


@pytest.mark.parametrize("target_name", ["superuser", "site_staff", "outsider"])
def test_the_admin_cannot_touch_accounts_above_them_or_elsewhere(
    client, request, plain_admin, target_name
):
    target = request.getfixturevalue(target_name)
    member = target.membership
    history_before = member.history.count()
    client.force_login(plain_admin)
    for method, url, data in _attempts(member):
        response = getattr(client, method)(url, data) if data is not None else client.get(url)
        assert response.status_code == 404, (method, url)
    target.refresh_from_db()
    assert target.check_password(PASSWORD)
    assert target.is_active
    assert target.first_name != "被接管"
    assert member.history.count() == history_before


def test_the_users_page_lists_only_manageable_members(
    client, plain_admin, superuser, site_staff, staff_a, outsider
):
    client.force_login(plain_admin)
    page = client.get(reverse("manage:users")).content.decode()
    assert f'id="member-{staff_a.membership.pk}"' in page
    assert f'id="member-{plain_admin.membership.pk}"' in page
    for hidden in (superuser, site_staff, outsider):
        assert f'id="member-{hidden.membership.pk}"' not in page
        assert f">{hidden.username}<" not in page


def test_the_admin_still_manages_an_equal(client, plain_admin, org):
    other_admin = factories.make_user("khh_admin2", org, Role.ADMIN)
    client.force_login(plain_admin)
    url = reverse("manage:user-password", args=[other_admin.membership.pk])
    assert client.post(url, {"password1": GOOD, "password2": GOOD}).status_code == 302
    other_admin.refresh_from_db()
    assert other_admin.check_password(GOOD)


def test_the_service_refuses_too(plain_admin, superuser):
    """The rule holds below the pages: a service call on a superuser is refused."""
    from django.core.exceptions import PermissionDenied

    from strategies.services import users as user_service

    with pytest.raises(PermissionDenied):
        user_service.reset_password(membership=superuser.membership, password=GOOD, by=plain_admin)
    superuser.refresh_from_db()
    assert superuser.check_password(PASSWORD)

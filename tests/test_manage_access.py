"""Only the organization's own admin uses the manage pages: anonymous users are sent to sign in,
other members get 403, another organization's people get 404 for khh objects."""

import pytest
from django.urls import reverse

from strategies.models import Membership, Year
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_admin(other_org):
    return factories.make_user("tpe_admin", other_org, Membership.Role.ADMIN)


@pytest.fixture
def urls(year, item, unit_a, staff_a):
    Year.objects.filter(pk=year.pk).update(status=Year.Status.PLANNING)
    dim = year.dimensions.get(number=1)
    indicator = item.indicators.get()
    member = staff_a.membership
    return {
        "get": [
            reverse("manage:plan", args=[year.pk]),
            reverse("manage:strategy-add", args=[dim.pk]),
            reverse("manage:strategy-edit", args=[item.method.strategy_id]),
            reverse("manage:method-add", args=[item.method.strategy_id]),
            reverse("manage:method-edit", args=[item.method_id]),
            reverse("manage:item-add", args=[item.method_id]),
            reverse("manage:item-edit", args=[item.pk]),
            reverse("manage:indicator-add", args=[item.pk]),
            reverse("manage:indicator-edit", args=[indicator.pk]),
            reverse("manage:unit-edit", args=[unit_a.pk]),
            reverse("manage:user-edit", args=[member.pk]),
            reverse("manage:user-password", args=[member.pk]),
        ],
        "post": [
            reverse("manage:year-status", args=[year.pk]),
            reverse("manage:node-move", args=["item", item.pk]),
            reverse("manage:node-retire", args=["item", item.pk]),
            reverse("manage:indicator-remove", args=[indicator.pk]),
            reverse("manage:unit-retire", args=[unit_a.pk]),
            reverse("manage:user-active", args=[member.pk]),
        ],
        "own": [
            reverse("manage:years"),
            reverse("manage:units"),
            reverse("manage:users"),
            reverse("manage:user-add"),
        ],
    }


def test_anonymous_is_sent_to_sign_in(client, urls):
    for url in urls["get"] + urls["own"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/"), url
    for url in urls["post"]:
        assert client.post(url)["Location"].startswith("/login/"), url


@pytest.mark.parametrize("who", ["staff_a", "head_a", "auditor", "hq_auditor"])
def test_members_who_are_not_its_admin_get_403(client, urls, request, who):
    client.force_login(request.getfixturevalue(who))
    for url in urls["get"] + urls["own"]:
        assert client.get(url).status_code == 403, url
    for url in urls["post"]:
        assert client.post(url).status_code == 403, url


@pytest.mark.parametrize("who", ["outsider", "other_admin"])
def test_another_branch_gets_404_for_khh_objects(client, urls, request, who, item):
    client.force_login(request.getfixturevalue(who))
    for url in urls["get"]:
        assert client.get(url).status_code == 404, url
    for url in urls["post"]:
        assert client.post(url, {"direction": "up", "retired": "1"}).status_code == 404, url
    item.refresh_from_db()
    assert not item.is_retired


def test_another_branchs_admin_manages_only_their_own(client, urls, other_admin, other_org):
    client.force_login(other_admin)
    response = client.get(reverse("manage:units"))
    assert response.status_code == 200
    assert "臺北分局" in response.content.decode()
    assert "度量衡科" not in response.content.decode()


def test_the_admin_gets_every_page(client, urls, admin_user):
    client.force_login(admin_user)
    for url in urls["get"] + urls["own"]:
        assert client.get(url).status_code == 200, url


def test_there_is_no_self_registration(client):
    assert client.get("/register/").status_code == 404
    assert client.get("/accounts/signup/").status_code == 404

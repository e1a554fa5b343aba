"""The plan editor and the users page: a keyword search and pages, the search kept."""

import pytest
from django.urls import reverse

from strategies.models import Membership, Year
from tests import factories


@pytest.fixture
def planning(year):
    Year.objects.filter(pk=year.pk).update(status=Year.Status.PLANNING)
    year.refresh_from_db()
    return year


def test_plan_search_keeps_matching_items_with_their_numbers(client, admin_user, planning, unit_a):
    factories.make_item(planning, hosts=[unit_a], dimension=2, title="櫃檯服務")
    wanted = factories.make_item(planning, hosts=[unit_a], dimension=2, title="網站無障礙")
    client.force_login(admin_user)
    page = client.get(reverse("manage:plan", args=[planning.pk]), {"q": "無障礙"}).content.decode()
    assert f'id="item-{wanted.pk}"' in page
    assert "櫃檯服務" not in page
    assert "(二)" in page  # still numbered among all its dimension's strategies
    empty = client.get(reverse("manage:plan", args=[planning.pk]), {"q": "查無此字"})
    assert "沒有符合條件的項目。" in empty.content.decode()


def test_after_an_edit_the_plan_opens_on_the_nodes_page(client, admin_user, planning, unit_a):
    items = [factories.make_item(planning, hosts=[unit_a]) for _ in range(17)]
    client.force_login(admin_user)
    last = items[-1]  # the 17th strategy: page 2
    response = client.post(
        reverse("manage:item-edit", args=[last.pk]),
        {
            "title": "改過的名稱",
            "host_label": "度量衡科",
            "host_units": [unit_a.pk],
            "planned_actions": "x",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?page=2#item-{last.pk}")
    page = client.get(response["Location"]).content.decode()
    assert f'id="item-{last.pk}"' in page


def test_users_page_searches_and_pages(client, admin_user, org, unit_a):
    for n in range(60):
        factories.make_user(
            f"member{n:02d}", org, Membership.Role.STAFF, unit_a, first_name=f"同仁{n}"
        )
    factories.make_user("wang", org, Membership.Role.STAFF, unit_a, first_name="王小明")
    client.force_login(admin_user)
    url = reverse("manage:users")
    first = client.get(url).content.decode()
    assert first.count('<tr id="member-') == 50
    assert "第 1 頁，共 2 頁" in first
    found = client.get(url, {"q": "王小明"}).content.decode()
    assert found.count('<tr id="member-') == 1 and "wang" in found
    by_unit = client.get(url, {"q": "度量衡", "page": "2"}).content.decode()
    assert "第 2 頁，共 2 頁" in by_unit
    assert "q=%E5%BA%A6%E9%87%8F%E8%A1%A1&amp;page=1" in by_unit  # the keyword kept

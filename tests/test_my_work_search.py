"""My work: a keyword finds items by title, number path, narrative or author; pages keep filters."""

import pytest
from django.urls import reverse

from strategies.models import MonthlyEntry
from tests import factories
from tests.conftest import login


def shown(client, params, *items):
    page = client.get(reverse("strategies:my-work"), params).content.decode()
    return {i.pk for i in items if reverse("strategies:item-history", args=[i.pk]) in page}


@pytest.fixture
def two_items(year, unit_a):
    first = factories.make_item(year, hosts=[unit_a], dimension=1, title="網站無障礙檢測")
    second = factories.make_item(year, hosts=[unit_a], dimension=2, title="櫃檯服務滿意度調查")
    return first, second


def test_keyword_matches_title(client, staff_a, two_items):
    login(client, staff_a)
    assert shown(client, {"q": "無障礙"}, *two_items) == {two_items[0].pk}


def test_keyword_matches_number_path_as_typed(client, staff_a, two_items):
    login(client, staff_a)
    # The second item is the first of dimension 二's first strategy: 二(一).
    assert shown(client, {"q": "二（一）"}, *two_items) == {two_items[1].pk}
    assert shown(client, {"q": "二(一)"}, *two_items) == {two_items[1].pk}


def test_keyword_matches_narrative_and_author(client, staff_a, two_items, unit_a):
    MonthlyEntry.objects.create(
        item=two_items[1], unit=unit_a, month=1, narrative="辦理問卷 300 份", updated_by=staff_a
    )
    login(client, staff_a)
    assert shown(client, {"q": "問卷"}, *two_items) == {two_items[1].pk}
    assert shown(client, {"q": staff_a.first_name}, *two_items) == {two_items[1].pk}
    assert shown(client, {"q": "查無此字"}, *two_items) == set()


def test_pages_keep_the_filters(client, staff_a, year, unit_a):
    items = [factories.make_item(year, hosts=[unit_a], title=f"訓練{n}") for n in range(55)]
    factories.make_item(year, hosts=[unit_a], title="其他")
    login(client, staff_a)
    first = client.get(reverse("strategies:my-work"), {"q": "訓練"}).content.decode()
    assert "共 55 項" in first
    assert "?q=%E8%A8%93%E7%B7%B4&amp;page=2" in first  # the next page keeps the keyword
    second = client.get(reverse("strategies:my-work"), {"q": "訓練", "page": 2}).content.decode()
    assert second.count('class="strip"') == 5
    assert "第 2 頁，共 2 頁" in second
    assert reverse("strategies:item-history", args=[items[-1].pk]) in second

"""The review page: a keyword filter and 20 items a page, the filters kept from page to page."""

from django.urls import reverse

from strategies.models import MonthlyEntry
from tests import factories
from tests.conftest import login


def review_url():
    return reverse("scoring:review", kwargs={"org": "khh", "roc_year": 113})


def test_keyword_finds_title_narrative_and_author(client, year, unit_a, staff_a, auditor):
    first = factories.make_item(year, hosts=[unit_a], title="網站無障礙檢測", planned_actions="甲")
    second = factories.make_item(year, hosts=[unit_a], dimension=2, planned_actions="乙")
    MonthlyEntry.objects.create(
        item=second, unit=unit_a, month=1, narrative="辦理問卷 300 份", updated_by=staff_a
    )
    login(client, auditor)

    def shown(q):
        page = client.get(review_url(), {"q": q}).content.decode()
        return {name for name in ("甲", "乙") if f'<td class="planned_actions">{name}' in page}

    assert shown("無障礙") == {"甲"}
    assert shown("問卷") == {"乙"}
    assert shown(staff_a.first_name) == {"乙"}
    assert shown("二(一)") == {"乙"}
    assert shown("查無此字") == set()
    assert first.pk


def test_twenty_items_a_page_with_the_filter_kept(client, year, unit_a, auditor):
    for n in range(25):
        factories.make_item(year, hosts=[unit_a], title=f"訓練{n:02d}")
    factories.make_item(year, hosts=[unit_a], title="其他")
    login(client, auditor)
    first = client.get(review_url(), {"q": "訓練"}).content.decode()
    assert "共 25 個項目" in first
    assert first.count('class="item-title"') == 20
    assert "?q=%E8%A8%93%E7%B7%B4&amp;page=2" in first
    second = client.get(review_url(), {"q": "訓練", "page": "2"}).content.decode()
    assert second.count('class="item-title"') == 5
    assert "訓練24" in second and "其他" not in second

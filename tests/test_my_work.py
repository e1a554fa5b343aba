"""My work: the unit's items with their full number and a 12-month status strip."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from strategies.models import MonthlyEntry
from tests import factories
from tests.conftest import login

Status = MonthlyEntry.Status


@pytest.fixture
def march_2024(time_machine):
    # 113 年 3 月 5 日: January is overdue after 2/10, February is due 3/10, April not open.
    time_machine.move_to(dt.datetime(2024, 3, 5, 9, tzinfo=ZoneInfo("Asia/Taipei")), tick=False)


def strip_labels(page: str, item, unit):
    labels = []
    for month in range(1, 13):
        url = reverse("strategies:entry-edit", args=[item.pk, unit.pk, month])
        start = page.find(f'href="{url}"')
        if start == -1:
            labels.append("未開放")
            continue
        end = page.find("</a>", start)
        labels.append(page[start:end].split('class="s">')[1].split("<")[0])
    return labels


def test_strip_shows_each_months_status(client, item, unit_a, staff_a, march_2024):
    MonthlyEntry.objects.create(item=item, unit=unit_a, month=2, status=Status.DRAFT)
    MonthlyEntry.objects.create(item=item, unit=unit_a, month=3, status=Status.SUBMITTED)
    login(client, staff_a)
    response = client.get(reverse("strategies:my-work"))
    assert response.status_code == 200
    page = response.content.decode()
    assert strip_labels(page, item, unit_a)[:4] == ["逾期", "草稿", "已送出", "未開放"]
    assert page.count("未開放") >= 9


def test_staff_see_only_items_their_unit_hosts(client, year, item, unit_a, unit_b, staff_b):
    hosted_by_b = factories.make_item(year, hosts=[unit_b], dimension=2)
    login(client, staff_b)
    page = client.get(reverse("strategies:my-work")).content.decode()
    assert reverse("strategies:item-history", args=[hosted_by_b.pk]) in page
    assert reverse("strategies:item-history", args=[item.pk]) not in page


def test_auditor_sees_every_unit_of_every_item(client, year, item, unit_a, unit_b, auditor):
    shared = factories.make_item(year, hosts=[unit_a, unit_b], dimension=2)
    login(client, auditor)
    page = client.get(reverse("strategies:my-work")).content.decode()
    assert "填報單位" in page
    for unit in (unit_a, unit_b):
        assert reverse("strategies:entry-edit", args=[shared.pk, unit.pk, 1]) in page
    assert reverse("strategies:entry-edit", args=[item.pk, unit_b.pk, 1]) not in page


def test_filter_by_dimension_strategy_and_status(client, year, item, unit_a, staff_a, march_2024):
    other = factories.make_item(year, hosts=[unit_a], dimension=3)
    MonthlyEntry.objects.create(item=other, unit=unit_a, month=1, status=Status.RETURNED)
    login(client, staff_a)
    url = reverse("strategies:my-work")
    dim3 = year.dimensions.get(number=3)

    def shown(params):
        page = client.get(url, params).content.decode()
        return {
            i.pk for i in (item, other) if reverse("strategies:item-history", args=[i.pk]) in page
        }

    assert shown({}) == {item.pk, other.pk}
    assert shown({"dimension": dim3.pk}) == {other.pk}
    assert shown({"strategy": item.method.strategy_id}) == {item.pk}
    # January of `other` is returned and overdue (not approved by 2/10): shown as overdue.
    assert shown({"status": "overdue"}) == {item.pk, other.pk}
    assert shown({"status": "returned"}) == set()
    MonthlyEntry.objects.create(item=item, unit=unit_a, month=2, status=Status.RETURNED)
    assert shown({"status": "returned"}) == {item.pk}


def test_full_number_path_and_sorting(client, seed):
    from strategies.models import Item, Year

    Year.objects.filter(roc_year=112).update(status=Year.Status.OPEN)
    staff = factories.User.objects.get(username="metrology-staff")
    login(client, staff)
    page = client.get(reverse("strategies:my-work"), {"sort": "path"}).content.decode()
    # 構面一 (二)服務友善性 2.提高網站使用便利性: (1) is 報驗發證科's alone, (3) every unit's.
    assert ">一(二)2(3)<" in page
    assert ">一(二)2(1)<" not in page
    metrology_items = Item.objects.filter(host_units__name="度量衡科").count()
    assert page.count('class="strip"') == metrology_items
    assert page.index(">一(一)1<") < page.index(">一(二)1(1)<") < page.index(">二(一)2(1)<")


def test_anonymous_goes_to_login(client):
    response = client.get(reverse("strategies:my-work"))
    assert response.status_code == 302


def test_an_unknown_filter_value_is_named_not_fatal(client, item, staff_a):
    login(client, staff_a)
    response = client.get(reverse("strategies:my-work"), {"dimension": "999"})
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()

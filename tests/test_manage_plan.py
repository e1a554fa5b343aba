"""The plan editor: add, edit, reorder and retire; numbering follows the order; an open year
keeps its structure until the admin reopens planning."""

from decimal import Decimal

import pytest
from django.urls import reverse

from strategies.errors import DomainError
from strategies.models import Indicator, Item, Method, Strategy, Year
from strategies.selectors.manage import plan_tree
from strategies.services import plan as plan_service
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def planning(year):
    Year.objects.filter(pk=year.pk).update(status=Year.Status.PLANNING)
    year.refresh_from_db()
    return year


@pytest.fixture
def method(planning, item):
    return item.method


def _labels(year):
    tree = plan_tree(year)
    return [
        (s.label, m.label, i.label, i.item.title)
        for d in tree
        for s in d.strategies
        for m in s.methods
        for i in m.items
    ]


def test_add_strategy_method_item_and_indicator(client, admin_user, planning, unit_a, unit_b):
    client.force_login(admin_user)
    dim = planning.dimensions.get(number=2)
    client.post(reverse("manage:strategy-add", args=[dim.pk]), {"title": "服務便捷性"})
    strategy = Strategy.objects.get(dimension=dim)
    client.post(
        reverse("manage:method-add", args=[strategy.pk]),
        {"title": "推動線上申辦", "description": "擴大線上服務"},
    )
    method = Method.objects.get(strategy=strategy)
    client.post(
        reverse("manage:item-add", args=[method.pk]),
        {
            "title": "電子化申辦",
            "host_units": [unit_a.pk, unit_b.pk],
            "host_label": "",
            "planned_actions": "年度目標值 2 家",
        },
    )
    item = Item.objects.get(method=method)
    assert item.host_label == "秘書室、度量衡科"  # the units' own order
    assert set(item.host_units.all()) == {unit_a, unit_b}
    client.post(
        reverse("manage:indicator-add", args=[item.pk]),
        {"name": "輔導家數", "measure": "家", "target": "2", "aggregation": "sum"},
    )
    indicator = item.indicators.get()
    assert (indicator.name, indicator.target, indicator.order) == ("輔導家數", Decimal(2), 1)
    page = client.get(reverse("manage:plan", args=[planning.pk])).content.decode()
    assert "(一)服務便捷性" in page and "電子化申辦" in page and "目標值 2 家" in page


def test_edit_item_and_target(client, admin_user, planning, item, unit_b):
    client.force_login(admin_user)
    client.post(
        reverse("manage:item-edit", args=[item.pk]),
        {
            "title": "新標題",
            "host_units": [unit_b.pk],
            "host_label": "秘書室",
            "planned_actions": "x",
        },
    )
    indicator = item.indicators.get()
    client.post(
        reverse("manage:indicator-edit", args=[indicator.pk]),
        {"name": "教育訓練", "measure": "場次", "target": "12", "aggregation": "latest"},
    )
    item.refresh_from_db()
    indicator.refresh_from_db()
    assert item.title == "新標題"
    assert list(item.host_units.all()) == [unit_b]
    assert indicator.target == Decimal(12)
    assert indicator.aggregation == Indicator.Aggregation.LATEST
    assert item.history.first().history_user == admin_user


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "x", "host_units": [], "planned_actions": ""}, "這個欄位是必須的"),
        ({"title": "x", "host_units": ["999999"], "planned_actions": ""}, "999999"),
    ],
)
def test_bad_item_input_changes_nothing(client, admin_user, planning, item, data, message):
    client.force_login(admin_user)
    before = (item.title, list(item.host_units.all()))
    response = client.post(reverse("manage:item-edit", args=[item.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    item.refresh_from_db()
    assert (item.title, list(item.host_units.all())) == before


def test_negative_or_text_target_is_refused(client, admin_user, planning, item):
    client.force_login(admin_user)
    indicator = item.indicators.get()
    for bad in ["-1", "九場"]:
        response = client.post(
            reverse("manage:indicator-edit", args=[indicator.pk]),
            {"name": "教育訓練", "measure": "場次", "target": bad, "aggregation": "sum"},
        )
        assert response.status_code == 200
    indicator.refresh_from_db()
    assert indicator.target == Decimal(9)


def test_numbering_follows_order_when_moving_and_retiring(client, admin_user, planning, unit_a):
    method = Item.objects.none()
    first = factories.make_item(planning, hosts=[unit_a], title="甲")
    method = first.method
    for title in ["乙", "丙"]:
        plan_service.add_item(method=method, title=title, host_units=[unit_a], user=admin_user)
    assert [row[2:] for row in _labels(planning)] == [("(1)", "甲"), ("(2)", "乙"), ("(3)", "丙")]
    client.force_login(admin_user)
    third = Item.objects.get(title="丙")
    client.post(reverse("manage:node-move", args=["item", third.pk]), {"direction": "up"})
    assert [row[2:] for row in _labels(planning)] == [("(1)", "甲"), ("(2)", "丙"), ("(3)", "乙")]
    client.post(reverse("manage:node-retire", args=["item", first.pk]), {"retired": "1"})
    first.refresh_from_db()
    assert first.is_retired
    assert [row[2:] for row in _labels(planning)] == [("", "甲"), ("(1)", "丙"), ("(2)", "乙")]
    client.post(reverse("manage:node-retire", args=["item", first.pk]), {"retired": "0"})
    first.refresh_from_db()
    assert not first.is_retired


def test_strategies_renumber_when_moved(client, admin_user, planning, unit_a):
    factories.make_item(planning, hosts=[unit_a])
    second = factories.make_item(planning, hosts=[unit_a])
    Strategy.objects.filter(pk=second.method.strategy_id).update(title="第二")
    client.force_login(admin_user)
    client.post(
        reverse("manage:node-move", args=["strategy", second.method.strategy_id]),
        {"direction": "up"},
    )
    assert _labels(planning)[0][0] == "(一)"
    assert plan_tree(planning)[0].strategies[0].strategy.title == "第二"


def test_moving_past_the_end_changes_nothing(admin_user, planning, item):
    plan_service.move(node=item, direction="down", user=admin_user)
    item.refresh_from_db()
    assert item.order == 1


def test_an_open_year_keeps_its_structure(client, admin_user, year, item):
    client.force_login(admin_user)
    response = client.post(
        reverse("manage:node-retire", args=["item", item.pk]), {"retired": "1"}, follow=True
    )
    assert "重新開放規劃" in response.content.decode()
    item.refresh_from_db()
    assert not item.is_retired
    page = client.get(reverse("manage:plan", args=[year.pk])).content.decode()
    assert "新增執行策略" not in page
    indicator = item.indicators.get()
    with pytest.raises(DomainError, match="填報中"):
        plan_service.update_indicator(
            indicator=indicator,
            name="x",
            measure="場次",
            target=Decimal(1),
            aggregation="sum",
            allows_decimals=False,
            user=admin_user,
        )
    indicator.refresh_from_db()
    assert indicator.target == Decimal(9)


def test_reopening_planning_is_recorded_then_edits_are_allowed(client, admin_user, year, item):
    client.force_login(admin_user)
    client.post(
        reverse("manage:year-status", args=[year.pk]),
        {"status": "planning", "reason": "新增第 4 季項目", "confirmed": "1"},
    )
    year.refresh_from_db()
    assert year.status == Year.Status.PLANNING
    assert year.history.first().history_change_reason == "新增第 4 季項目"
    page = client.get(reverse("manage:plan", args=[year.pk])).content.decode()
    assert "新增第 4 季項目" in page and "管理者" in page  # the reopening is shown, with who
    client.post(reverse("manage:node-retire", args=["item", item.pk]), {"retired": "1"})
    item.refresh_from_db()
    assert item.is_retired


def test_another_organizations_unit_cannot_host(admin_user, planning, item, other_org):
    foreign = factories.make_unit(other_org, "秘書室")
    with pytest.raises(DomainError, match="不是高雄分局的單位"):
        plan_service.update_item(item=item, title="x", host_units=[foreign], user=admin_user)


def test_plan_page_query_count_does_not_grow(
    client, admin_user, planning, unit_a, django_assert_max_num_queries
):
    client.force_login(admin_user)
    for _ in range(2):
        factories.make_item(planning, hosts=[unit_a])
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("manage:plan", args=[planning.pk]))
    for n in range(20):
        factories.make_item(planning, hosts=[unit_a], dimension=1 + n % 5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("manage:plan", args=[planning.pk]))
    # Each item came with its own strategy: 15 strategies a page.
    page = response.content.decode()
    assert page.count('class="plan-item"') == 15
    assert "第 1 頁，共 2 頁" in page
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("manage:plan", args=[planning.pk]), {"page": 2})
    assert response.content.decode().count('class="plan-item"') == 7

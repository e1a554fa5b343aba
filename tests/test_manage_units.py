"""Units: add, rename, retire (a retired unit keeps its history) and restore."""

import pytest
from django.urls import reverse

from strategies.models import Item, Unit, Year
from tests import factories

pytestmark = pytest.mark.django_db


def test_add_a_unit(client, admin_user, org):
    client.force_login(admin_user)
    response = client.post(reverse("manage:units"), {"name": "報驗發證科", "kind": "section"})
    assert response.status_code == 302
    unit = Unit.objects.get(organization=org, name="報驗發證科")
    assert unit.is_active
    assert unit.history.first().history_user == admin_user


def test_a_duplicate_name_is_refused(client, admin_user, org, unit_a):
    client.force_login(admin_user)
    response = client.post(reverse("manage:units"), {"name": "度量衡科", "kind": "section"})
    assert response.status_code == 400
    assert "已有名為「度量衡科」的單位" in response.content.decode()
    assert Unit.objects.filter(organization=org, name="度量衡科").count() == 1


def test_the_same_name_in_another_branch_is_fine(client, admin_user, org, other_org):
    factories.make_unit(other_org, "金門辦事處")
    client.force_login(admin_user)
    client.post(reverse("manage:units"), {"name": "金門辦事處", "kind": "office"})
    assert Unit.objects.filter(organization=org, name="金門辦事處").exists()


def test_rename_keeps_history_and_printed_labels(client, admin_user, unit_a, item):
    client.force_login(admin_user)
    client.post(
        reverse("manage:unit-edit", args=[unit_a.pk]), {"name": "度量衡管理科", "kind": "section"}
    )
    unit_a.refresh_from_db()
    assert unit_a.name == "度量衡管理科"
    assert unit_a.history.first().history_change_reason == "更名：度量衡科 → 度量衡管理科"
    item.refresh_from_db()
    assert item.host_label == "度量衡科"


def test_a_unit_hosting_current_items_is_not_retired(client, admin_user, unit_a, item):
    client.force_login(admin_user)
    response = client.post(reverse("manage:unit-retire", args=[unit_a.pk]), follow=True)
    assert "仍主辦 1 個規劃中或填報中年度的填報項目" in response.content.decode()
    unit_a.refresh_from_db()
    assert unit_a.is_active


def test_a_unit_with_active_members_is_not_retired(client, admin_user, unit_b, staff_b):
    client.force_login(admin_user)
    response = client.post(reverse("manage:unit-retire", args=[unit_b.pk]), follow=True)
    assert "仍有 1 位使用中的成員" in response.content.decode()
    unit_b.refresh_from_db()
    assert unit_b.is_active


def test_retire_keeps_past_years_and_drops_from_new_choices(client, admin_user, org, unit_a, item):
    year = item.method.strategy.dimension.year
    Year.objects.filter(pk=year.pk).update(status=Year.Status.CLOSED)
    client.force_login(admin_user)
    client.post(reverse("manage:unit-retire", args=[unit_a.pk]))
    unit_a.refresh_from_db()
    assert not unit_a.is_active
    assert list(Item.objects.get(pk=item.pk).host_units.all()) == [unit_a]  # history kept
    page = client.get(reverse("manage:units")).content.decode()
    assert "已停用" in page and "恢復使用" in page
    planning = factories.make_year(org, 120, status=Year.Status.PLANNING)
    other = factories.make_item(planning, hosts=[factories.make_unit(org, "研考")])
    form_page = client.get(reverse("manage:item-edit", args=[other.pk])).content.decode()
    assert "度量衡科" not in form_page
    client.post(reverse("manage:unit-retire", args=[unit_a.pk]), {"restore": "1"})
    unit_a.refresh_from_db()
    assert unit_a.is_active

"""Every model has a Chinese Django admin page an admin can open and search."""

import pytest
from django.contrib import admin
from django.urls import reverse

from strategies.models import Item


@pytest.mark.django_db
def test_every_registered_model_lists_for_an_admin(client, seed):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="admin"))
    for model in admin.site._registry:
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.django_db
def test_admin_speaks_chinese_and_finds_items_by_text(client, seed):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="admin"))
    response = client.get(reverse("admin:strategies_item_changelist"), {"q": "電話禮貌"})
    body = response.content.decode()
    assert "填報項目" in body
    assert "注重電話禮貌" in body
    item = Item.objects.get(title__startswith="注重電話禮貌")
    change = client.get(reverse("admin:strategies_item_change", args=[item.pk]))
    assert "訂有電話禮貌測試執行計畫" in change.content.decode()


@pytest.mark.django_db
def test_admin_is_closed_to_staff_members(client, staff_a):
    client.force_login(staff_a)
    response = client.get(reverse("admin:strategies_item_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]

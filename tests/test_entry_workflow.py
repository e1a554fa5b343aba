"""The entry workflow: draft -> submitted -> approved, or returned with a reason -> submitted."""

from decimal import Decimal

import pytest
from django.urls import reverse

from strategies.models import MonthlyEntry
from tests.conftest import login

Status = MonthlyEntry.Status


def entry_url(item, unit, month=1):
    return reverse("strategies:entry-edit", args=[item.pk, unit.pk, month])


def post_entry(
    client,
    item,
    unit,
    *,
    month=1,
    version=0,
    action="save",
    narrative="辦理教育訓練 1 場次",
    value="1",
    **extra,
):
    indicator = item.indicators.get()
    data = {
        "version": version,
        "narrative": narrative,
        "action": action,
        f"value_{indicator.pk}": value,
    }
    data.update(extra)
    return client.post(entry_url(item, unit, month), data)


@pytest.mark.django_db
def test_staff_saves_a_draft_then_submits(client, item, unit_a, staff_a):
    login(client, staff_a)
    response = post_entry(client, item, unit_a)
    assert response.status_code == 302
    entry = MonthlyEntry.objects.get(item=item, unit=unit_a, month=1)
    assert entry.status == Status.DRAFT
    assert entry.values.get().value == Decimal(1)
    assert entry.version == 1

    response = post_entry(client, item, unit_a, version=1, action="submit", value="2")
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == Status.SUBMITTED
    assert entry.version == 2
    assert entry.values.get().value == Decimal(2)
    page = client.get(entry_url(item, unit_a))
    assert "已送出" in page.content.decode()
    assert 'id="entry-form"' not in page.content.decode()


@pytest.mark.django_db
def test_head_returns_with_reason_staff_resubmits_head_approves(
    client, item, unit_a, staff_a, head_a
):
    login(client, staff_a)
    post_entry(client, item, unit_a, action="submit")
    entry = MonthlyEntry.objects.get()

    login(client, head_a)
    response = client.post(
        reverse("strategies:entry-review", args=[entry.pk]),
        {"version": entry.version, "action": "return", "reason": "請補上場次日期"},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == Status.RETURNED
    assert entry.return_reason == "請補上場次日期"

    login(client, staff_a)
    page = client.get(entry_url(item, unit_a)).content.decode()
    assert "請補上場次日期" in page
    post_entry(
        client,
        item,
        unit_a,
        version=entry.version,
        action="submit",
        narrative="1/15 辦理教育訓練 1 場次",
        value="1",
    )
    entry.refresh_from_db()
    assert entry.status == Status.SUBMITTED

    login(client, head_a)
    page = client.get(entry_url(item, unit_a)).content.decode()
    assert "與上次送出相比的修改" in page
    assert "1/15 辦理教育訓練 1 場次" in page
    response = client.post(
        reverse("strategies:entry-review", args=[entry.pk]),
        {"version": entry.version, "action": "approve"},
    )
    entry.refresh_from_db()
    assert entry.status == Status.APPROVED
    assert entry.approved_at is not None


@pytest.mark.django_db
def test_approved_entry_is_read_only(client, item, unit_a, staff_a, head_a):
    login(client, staff_a)
    post_entry(client, item, unit_a, action="submit")
    entry = MonthlyEntry.objects.get()
    login(client, head_a)
    client.post(
        reverse("strategies:entry-review", args=[entry.pk]),
        {"version": entry.version, "action": "approve"},
    )
    entry.refresh_from_db()
    login(client, staff_a)
    page = client.get(entry_url(item, unit_a)).content.decode()
    assert 'id="entry-form"' not in page
    assert "內容不能再修改" in page
    response = post_entry(client, item, unit_a, version=entry.version, narrative="改掉")
    assert response.status_code == 400
    assert "已核定" in response.content.decode()
    entry.refresh_from_db()
    assert entry.narrative == "辦理教育訓練 1 場次"
    assert entry.status == Status.APPROVED

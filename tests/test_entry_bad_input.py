"""Bad input gets a clear error and changes nothing: the database is the same afterwards."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from strategies.models import (
    NARRATIVE_MAX_LENGTH,
    EntryComment,
    Evidence,
    IndicatorValue,
    MonthLock,
    MonthlyEntry,
    Year,
)
from tests import evidence_samples as samples
from tests.conftest import login


def snapshot():
    return (
        list(MonthlyEntry.objects.order_by("pk").values()),
        list(IndicatorValue.objects.order_by("pk").values()),
        list(Evidence.objects.order_by("pk").values()),
        EntryComment.objects.count(),
        MonthlyEntry.history.count(),
        IndicatorValue.history.count(),
    )


@pytest.fixture
def draft(client, item, unit_a, staff_a):
    """January saved as a draft (version 1) with 2 場次."""
    login(client, staff_a)
    indicator = item.indicators.get()
    response = client.post(
        reverse("strategies:entry-edit", args=[item.pk, unit_a.pk, 1]),
        {"version": 0, "narrative": "原本的內容", "action": "save", f"value_{indicator.pk}": "2"},
    )
    assert response.status_code == 302
    return MonthlyEntry.objects.get()


def form(item, **changes):
    indicator = item.indicators.get()
    data = {
        "version": 1,
        "narrative": "新的內容",
        "action": "save",
        f"value_{indicator.pk}": "3",
    }
    data.update(changes)
    return data


def post(client, item, unit, month=1, **changes):
    return client.post(
        reverse("strategies:entry-edit", args=[item.pk, unit.pk, month]), form(item, **changes)
    )


@pytest.mark.parametrize("month", [0, 13])
def test_month_outside_the_year(client, draft, item, unit_a, month):
    before = snapshot()
    response = post(client, item, unit_a, month=month)
    assert response.status_code == 400
    assert "月份必須是 1 到 12 月" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("value", "message"),
    [("-1", "0"), ("abc", "數字"), ("1.5", "請填整數"), ("1e400", "")],
)
def test_bad_count(client, draft, item, unit_a, value, message):
    indicator = item.indicators.get()
    before = snapshot()
    response = post(client, item, unit_a, **{f"value_{indicator.pk}": value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot() == before


def test_narrative_over_the_limit(client, draft, item, unit_a):
    before = snapshot()
    response = post(client, item, unit_a, narrative="字" * (NARRATIVE_MAX_LENGTH + 1))
    assert response.status_code == 400
    assert str(NARRATIVE_MAX_LENGTH) in response.content.decode()
    assert snapshot() == before


def test_submit_without_narrative(client, draft, item, unit_a):
    before = snapshot()
    response = post(client, item, unit_a, narrative="  ", action="submit")
    assert response.status_code == 400
    assert "送出前請填寫執行情形" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("程式.exe", samples.EXE, "不是可接受的檔案類型"),
        ("報告.pdf", samples.EXE, "不是可接受的檔案類型"),
        ("照片.pdf", samples.PNG, "內容與副檔名不符"),
    ],
)
def test_forbidden_or_renamed_file(client, draft, item, unit_a, name, data, message):
    before = snapshot()
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    response = post(client, item, unit_a, evidence=upload)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot() == before


def test_file_too_large(client, draft, item, unit_a, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    before = snapshot()
    upload = SimpleUploadedFile("報告.pdf", samples.PDF + b"0" * 4096)
    response = post(client, item, unit_a, evidence=upload)
    assert response.status_code == 400
    assert "上限" in response.content.decode()
    assert snapshot() == before


def test_post_without_csrf_token(draft, item, unit_a, staff_a):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(staff_a)
    before = snapshot()
    response = post(csrf_client, item, unit_a)
    assert response.status_code == 403
    assert snapshot() == before


def test_post_for_another_units_item(client, draft, item, unit_a, unit_b, staff_b):
    login(client, staff_b)
    before = snapshot()
    # Forged: 秘書室 staff posting to 度量衡科's entry, and as their own unit for an item
    # 秘書室 does not host.
    assert post(client, item, unit_a).status_code == 403
    assert post(client, item, unit_b, version=0).status_code == 403
    assert snapshot() == before


def test_post_from_another_organization(client, draft, item, unit_a, outsider):
    login(client, outsider)
    before = snapshot()
    assert post(client, item, unit_a).status_code == 404
    assert snapshot() == before


def test_locked_month(client, draft, item, unit_a, year, admin_user):
    MonthLock.objects.create(year=year, month=1, locked_by=admin_user)
    before = snapshot()
    response = post(client, item, unit_a)
    assert response.status_code == 400
    assert "已鎖定" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("status", [Year.Status.CLOSED, Year.Status.LOCKED, Year.Status.PLANNING])
def test_year_not_open(client, draft, item, unit_a, year, status):
    Year.objects.filter(pk=year.pk).update(status=status)
    before = snapshot()
    response = post(client, item, unit_a)
    assert response.status_code == 400
    assert "不能再修改填報" in response.content.decode()
    assert snapshot() == before


def test_stale_version(client, draft, item, unit_a):
    MonthlyEntry.objects.filter(pk=draft.pk).update(version=2, narrative="別人剛存的內容")
    before = snapshot()
    response = post(client, item, unit_a, version=1)
    assert response.status_code == 409
    page = response.content.decode()
    assert "別人剛存的內容" in page
    assert "您的修改沒有存入" in page
    assert snapshot() == before


def test_month_not_yet_open(client, item, unit_a, staff_a, time_machine):
    import datetime as dt
    from zoneinfo import ZoneInfo

    time_machine.move_to(dt.datetime(2024, 3, 5, 9, tzinfo=ZoneInfo("Asia/Taipei")), tick=False)
    login(client, staff_a)
    before = snapshot()
    response = post(client, item, unit_a, month=4, version=0)
    assert response.status_code == 400
    assert "尚未開放填報" in response.content.decode()
    assert snapshot() == before

"""Refusals of the services in the reader's language: a member who reads English is refused in
English (the Chinese stays the default), and the history's recorded words are shown in English
while the stored words stay as written."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from strategies.errors import DomainError, StaleVersionError
from strategies.models import MonthlyEntry, Year
from strategies.services import entries as services
from strategies.services import month_locks
from tests.conftest import login
from tests.test_entry_workflow import post_entry

pytestmark = pytest.mark.django_db


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture
def submitted(client, item, unit_a, staff_a) -> MonthlyEntry:
    login(client, staff_a)
    assert post_entry(client, item, unit_a, action="submit").status_code == 302
    return MonthlyEntry.objects.get(item=item, unit=unit_a)


def test_entry_locked(submitted, staff_a, item, unit_a):
    with translation.override("en"), pytest.raises(DomainError) as refused:
        services.save_entry(
            user=staff_a, item=item, unit=unit_a, month=1, version=submitted.version,
            narrative="改寫", values={}, submit=False,
        )  # fmt: skip
    assert refused.value.message == (
        "This entry is “Submitted” and can no longer be changed; to correct it, ask the unit "
        "head to return it."
    )
    with pytest.raises(DomainError) as refused:
        services.save_entry(
            user=staff_a, item=item, unit=unit_a, month=1, version=submitted.version,
            narrative="改寫", values={}, submit=False,
        )  # fmt: skip
    assert refused.value.message.startswith("這筆填報「已送出」，不能再修改")


def test_stale_version(client, submitted, head_a, item, unit_a):
    with translation.override("en"), pytest.raises(StaleVersionError) as refused:
        services.approve_entry(user=head_a, entry=submitted, version=submitted.version - 1)
    message = refused.value.message
    assert "saved this entry at" in message
    assert "your changes were not saved" in message
    assert message.endswith("Please reload the page before editing again.")


def test_self_approval_on_the_page(client, head_a, item, unit_a):
    login(client, head_a)
    assert post_entry(client, item, unit_a, action="submit").status_code == 302
    entry = MonthlyEntry.objects.get(item=item, unit=unit_a)
    page = _english(client).post(
        reverse("strategies:entry-review", args=[entry.pk]),
        {"version": entry.version, "action": "approve"},
        follow=True,
    )
    assert "You submitted this entry, so you cannot approve or return it yourself" in (
        page.content.decode()
    )
    entry.refresh_from_db()
    assert entry.status == MonthlyEntry.Status.SUBMITTED


@pytest.mark.parametrize("status", [Year.Status.LOCKED, Year.Status.CLOSED])
def test_year_locked(year, staff_a, item, unit_a, status):
    Year.objects.filter(pk=year.pk).update(status=status)
    with translation.override("en"), pytest.raises(DomainError) as refused:
        services.save_entry(
            user=staff_a, item=item, unit=unit_a, month=1, version=0,
            narrative="x", values={}, submit=False,
        )  # fmt: skip
    assert refused.value.message.startswith(f"Year {year.roc_year} is “")
    assert "entries can no longer be changed" in refused.value.message
    assert not _has_chinese(refused.value.message)


def test_month_locked(year, admin_user, staff_a, item, unit_a):
    month_locks.lock_month(user=admin_user, year=year, month=1)
    with translation.override("en"), pytest.raises(DomainError) as refused:
        services.save_entry(
            user=staff_a, item=item, unit=unit_a, month=1, version=0,
            narrative="x", values={}, submit=False,
        )  # fmt: skip
    assert refused.value.message == (
        f"Month 1 of {year.roc_year} is locked: entries can no longer be changed; to correct "
        "one, ask the administrator to reopen it."
    )


def test_history_reasons_shown_in_english_stored_in_chinese(client, submitted, head_a, item):
    login(client, head_a)
    client.post(
        reverse("strategies:entry-review", args=[submitted.pk]),
        {"version": submitted.version, "action": "return", "reason": "請補附件"},
    )
    stored = list(submitted.history.order_by("history_id").values_list(
        "history_change_reason", flat=True
    ))  # fmt: skip
    assert stored[-1] == "退回：請補附件"
    page = _english(client).get(reverse("strategies:item-history", args=[item.pk]))
    text = page.content.decode()
    assert "Returned: 請補附件" in text
    assert "Submitted" in text
    assert "退回：" not in text


def test_copy_year_and_export_refusals(org, year, admin_user):
    """The admin's commands and pages share these services: their refusals follow the reader."""
    from perfreport.reports.jobs import start_export
    from strategies.services.copy_year import copy_year

    with translation.override("en"):
        with pytest.raises(DomainError) as same:
            copy_year(organization=org, from_roc_year=113, to_roc_year=113, user=admin_user)
        with pytest.raises(DomainError) as missing:
            copy_year(organization=org, from_roc_year=99, to_roc_year=120, user=admin_user)
        with pytest.raises(DomainError) as unknown_format:
            start_export(year=year, format="tiff", user=admin_user)
    assert not _has_chinese(str(same.value.message))
    assert "cannot be the same" in str(same.value.message)
    # The organization's own name stays as the data has it; the sentence is English.
    assert "has no year 99 to copy from" in str(missing.value.message)
    assert str(unknown_format.value.message) == "There is no export format “tiff”."
    with pytest.raises(DomainError) as chinese:
        copy_year(organization=org, from_roc_year=113, to_roc_year=113, user=admin_user)
    assert "不能相同" in str(chinese.value.message)

"""Admins lock months; only they reopen a locked month, and the reason is recorded."""

import pytest
from django.urls import reverse

from strategies.errors import DomainError
from strategies.models import MonthLock, MonthlyEntry
from strategies.services import entries as services
from tests.conftest import login


def test_admin_locks_and_reopens_with_a_reason(client, year, admin_user, item, unit_a, staff_a):
    login(client, admin_user)
    url = reverse("strategies:month-locks", args=[year.pk])
    assert client.post(url, {"month": 1, "action": "lock"}).status_code == 302
    assert MonthLock.objects.filter(year=year, month=1).exists()

    with pytest.raises(DomainError, match="已鎖定"):
        services.save_entry(
            user=staff_a, item=item, unit=unit_a, month=1, version=0, narrative="x", values={}
        )

    response = client.post(url, {"month": 1, "action": "reopen", "reason": ""})
    assert response.status_code == 400
    assert MonthLock.objects.filter(year=year, month=1).exists()

    response = client.post(url, {"month": 1, "action": "reopen", "reason": "度量衡科補登 1 月"})
    assert response.status_code == 302
    assert not MonthLock.objects.exists()
    record = MonthLock.history.latest("history_date")
    assert record.history_type == "-"
    assert record.history_user == admin_user
    assert "度量衡科補登 1 月" in record.history_change_reason
    assert "度量衡科補登 1 月" in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("actor", "status"), [("staff_a", 403), ("head_a", 403), ("auditor", 403), ("outsider", 404)]
)
def test_only_admins_manage_locks(client, year, request, actor, status):
    login(client, request.getfixturevalue(actor))
    url = reverse("strategies:month-locks", args=[year.pk])
    assert client.post(url, {"month": 1, "action": "lock"}).status_code == status
    assert not MonthLock.objects.exists()


def test_admin_reopens_an_approved_entry_with_a_reason(
    client, item, unit_a, staff_a, head_a, admin_user
):
    entry = services.save_entry(
        user=staff_a,
        item=item,
        unit=unit_a,
        month=1,
        version=0,
        narrative="x",
        values={},
        submit=True,
    )
    entry = services.approve_entry(user=head_a, entry=entry, version=entry.version)
    login(client, admin_user)
    client.post(
        reverse("strategies:entry-reopen", args=[entry.pk]),
        {"version": entry.version, "reason": ""},
    )
    entry.refresh_from_db()
    assert entry.status == MonthlyEntry.Status.APPROVED
    client.post(
        reverse("strategies:entry-reopen", args=[entry.pk]),
        {"version": entry.version, "reason": "數值誤植，需更正"},
    )
    entry.refresh_from_db()
    assert entry.status == MonthlyEntry.Status.RETURNED
    assert entry.return_reason == "數值誤植，需更正"
    assert "數值誤植，需更正" in entry.history.latest("history_date").history_change_reason


def test_my_work_links_admins_to_the_month_locks(client, year, admin_user, staff_a):
    url = reverse("strategies:month-locks", args=[year.pk])
    login(client, admin_user)
    assert url in client.get(reverse("strategies:my-work")).content.decode()
    login(client, staff_a)
    assert url not in client.get(reverse("strategies:my-work")).content.decode()


def test_headquarters_admin_reads_a_branch_but_does_not_lock_or_reopen(
    client, year, hq, item, unit_a, staff_a, head_a
):
    from tests import factories

    hq_admin = factories.make_user("hq_admin", hq, factories.Membership.Role.ADMIN)
    entry = services.save_entry(
        user=staff_a,
        item=item,
        unit=unit_a,
        month=1,
        version=0,
        narrative="x",
        values={},
        submit=True,
    )
    login(client, hq_admin)
    assert (
        client.get(reverse("strategies:entry-edit", args=[item.pk, unit_a.pk, 1])).status_code
        == 200
    )
    assert (
        client.post(
            reverse("strategies:month-locks", args=[year.pk]), {"month": 1, "action": "lock"}
        ).status_code
        == 403
    )
    response = client.post(
        reverse("strategies:entry-reopen", args=[entry.pk]),
        {"version": entry.version, "reason": "總局"},
    )
    assert response.status_code == 403
    assert not MonthLock.objects.exists()
    entry.refresh_from_db()
    assert entry.status == MonthlyEntry.Status.SUBMITTED

"""Who may open, save and review an entry: checked on the server, per object."""

import pytest
from django.urls import reverse

from strategies.models import MonthlyEntry
from tests import factories
from tests.conftest import login

Status = MonthlyEntry.Status


@pytest.fixture
def entry(item, unit_a, staff_a):
    entry = MonthlyEntry.objects.create(
        item=item, unit=unit_a, month=1, narrative="辦理 1 場次", status=Status.SUBMITTED
    )
    return entry


def edit_url(entry):
    return reverse("strategies:entry-edit", args=[entry.item_id, entry.unit_id, entry.month])


def test_anonymous_is_sent_to_login(client, entry):
    response = client.get(edit_url(entry))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    response = client.get(reverse("strategies:my-work"))
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("staff_a", 200),
        ("head_a", 200),
        ("auditor", 200),
        ("admin_user", 200),
        ("hq_auditor", 200),
        ("staff_b", 403),
        ("outsider", 404),
    ],
)
def test_who_may_open_the_entry(client, entry, request, actor, status):
    login(client, request.getfixturevalue(actor))
    assert client.get(edit_url(entry)).status_code == status


@pytest.mark.parametrize(
    ("actor", "status"),
    [("auditor", 403), ("admin_user", 403), ("staff_b", 403), ("outsider", 404)],
)
def test_only_the_units_staff_and_head_may_save(client, item, unit_a, request, actor, status):
    login(client, request.getfixturevalue(actor))
    indicator = item.indicators.get()
    response = client.post(
        reverse("strategies:entry-edit", args=[item.pk, unit_a.pk, 1]),
        {"version": 0, "narrative": "偽造", "action": "save", f"value_{indicator.pk}": "1"},
    )
    assert response.status_code == status
    assert not MonthlyEntry.objects.exists()


def test_auditor_reads_without_a_form(client, entry, auditor):
    login(client, auditor)
    page = client.get(edit_url(entry)).content.decode()
    assert "辦理 1 場次" in page
    assert 'id="entry-form"' not in page
    assert 'id="approve-entry"' not in page


@pytest.mark.parametrize(
    ("actor", "status"), [("staff_a", 403), ("auditor", 403), ("staff_b", 403), ("outsider", 404)]
)
def test_only_the_units_head_may_review(client, entry, request, actor, status):
    login(client, request.getfixturevalue(actor))
    response = client.post(
        reverse("strategies:entry-review", args=[entry.pk]),
        {"version": entry.version, "action": "approve"},
    )
    assert response.status_code == status
    entry.refresh_from_db()
    assert entry.status == Status.SUBMITTED


def test_head_of_another_unit_cannot_review(client, entry, org, unit_b):
    head_b = factories.make_user("head_b", org, factories.Membership.Role.HEAD, unit_b)
    login(client, head_b)
    response = client.post(
        reverse("strategies:entry-review", args=[entry.pk]),
        {"version": entry.version, "action": "return", "reason": "偽造"},
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.status == Status.SUBMITTED
    assert entry.return_reason == ""


def test_forged_entry_id_of_another_unit(client, year, unit_b, staff_a):
    other_item = factories.make_item(year, hosts=[unit_b])
    other = MonthlyEntry.objects.create(item=other_item, unit=unit_b, month=1, narrative="秘書室")
    login(client, staff_a)
    assert client.get(edit_url(other)).status_code == 403
    response = client.post(
        reverse("strategies:entry-comment", args=[other.pk]), {"body": "偽造留言"}
    )
    assert response.status_code == 403
    assert not other.comments.exists()
    assert client.get(reverse("strategies:item-history", args=[other_item.pk])).status_code == 403


def test_forbidden_page_says_why(client, entry, staff_b):
    login(client, staff_b)
    response = client.get(edit_url(entry))
    assert response.status_code == 403
    assert "沒有權限" in response.content.decode()


def test_unknown_item_or_unit_is_404(client, entry, staff_a, other_org):
    login(client, staff_a)
    assert client.get(reverse("strategies:entry-edit", args=[999, 1, 1])).status_code == 404
    foreign_unit = factories.make_unit(other_org, "度量衡科")
    url = reverse("strategies:entry-edit", args=[entry.item_id, foreign_unit.pk, 1])
    assert client.get(url).status_code == 404

"""Reviewers leave comments on an entry: a short thread the unit sees."""

import pytest
from django.urls import reverse

from strategies.models import MonthlyEntry
from tests.conftest import login


@pytest.fixture
def entry(item, unit_a):
    return MonthlyEntry.objects.create(
        item=item, unit=unit_a, month=1, narrative="辦理", status=MonthlyEntry.Status.SUBMITTED
    )


def test_head_comments_and_staff_replies(client, entry, head_a, staff_a, auditor):
    url = reverse("strategies:entry-comment", args=[entry.pk])
    login(client, head_a)
    assert client.post(url, {"body": "請附簽到表"}).status_code == 302
    login(client, auditor)
    assert client.post(url, {"body": "考核時會抽查"}).status_code == 302
    login(client, staff_a)
    assert client.post(url, {"body": "已補上傳"}).status_code == 302
    page = client.get(
        reverse("strategies:entry-edit", args=[entry.item_id, entry.unit_id, 1])
    ).content.decode()
    assert page.index("請附簽到表") < page.index("考核時會抽查") < page.index("已補上傳")
    assert [c.author for c in entry.comments.all()] == [head_a, auditor, staff_a]


def test_empty_or_too_long_comment_changes_nothing(client, entry, head_a):
    login(client, head_a)
    url = reverse("strategies:entry-comment", args=[entry.pk])
    client.post(url, {"body": "   "})
    client.post(url, {"body": "字" * 2001})
    assert not entry.comments.exists()


def test_comment_needs_post(client, entry, head_a):
    login(client, head_a)
    assert client.get(reverse("strategies:entry-comment", args=[entry.pk])).status_code == 405

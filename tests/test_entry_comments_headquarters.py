"""Headquarters reads its branches' entries but writes in their review threads only where the
branch allows it (Organization.headquarters_may_comment, off by default). The branch's own
readers comment as before."""

import pytest
from django.urls import reverse

from strategies.models import EntryComment, MonthlyEntry
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(item, unit_a, staff_a):
    return MonthlyEntry.objects.create(
        item=item,
        unit=unit_a,
        month=1,
        narrative="辦理教育訓練 1 場次",
        status=MonthlyEntry.Status.SUBMITTED,
        created_by=staff_a,
        updated_by=staff_a,
        submitted_by=staff_a,
    )


def _page(client, entry) -> str:
    url = reverse("strategies:entry-edit", args=[entry.item_id, entry.unit_id, entry.month])
    return client.get(url).content.decode()


def _comment(client, entry, body: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("strategies:entry-comment", args=[entry.pk]), {"body": body})


def test_headquarters_reads_but_does_not_comment_by_default(client, entry, hq_auditor):
    login(client, hq_auditor)
    page = _page(client, entry)
    assert "辦理教育訓練 1 場次" in page
    assert 'id="comment-form"' not in page
    assert _comment(client, entry, "總局意見").status_code == 403
    assert not EntryComment.objects.exists()


def test_a_branch_that_allows_it_gets_headquarters_comments(client, entry, hq_auditor, org):
    org.headquarters_may_comment = True
    org.save()
    login(client, hq_auditor)
    assert 'id="comment-form"' in _page(client, entry)
    assert _comment(client, entry, "總局意見").status_code == 302
    assert EntryComment.objects.get().author == hq_auditor


def test_the_branchs_own_readers_still_comment(client, entry, auditor, head_a):
    for user in (auditor, head_a):
        login(client, user)
        assert 'id="comment-form"' in _page(client, entry)
        assert _comment(client, entry, f"{user.username} 的意見").status_code == 302
    assert EntryComment.objects.count() == 2

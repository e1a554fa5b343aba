"""The inbox and the nav badge read in a fixed number of queries, whatever the number of notices."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from strategies.models import Notification
from tests.conftest import login

# session, user, membership with its organization and unit (the layout), the page's count and
# rows, unread notices (the nav badge). The session is written at most once a minute
# (perfreport/session_refresh.py), and signing in counted as that write.
INBOX_QUERIES = 6


def add(user, n, start=0):
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind=Notification.Kind.YEAR_REOPENED,
            key=f"k{start + i}",
            params={"year": 113, "reason": "更正"},
        )
        for i in range(n)
    )


def count(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("strategies:notifications"))
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.django_db
def test_inbox_queries_do_not_grow(client, staff_a, django_assert_max_num_queries):
    login(client, staff_a)
    add(staff_a, 5)
    once, page = count(client)
    assert page.count('class="inbox-row') == 5
    add(staff_a, 45, start=5)  # 10x
    tenfold, page = count(client)
    assert page.count('class="inbox-row') == 20  # one page
    assert once == tenfold == INBOX_QUERIES
    with django_assert_max_num_queries(INBOX_QUERIES):
        client.get(reverse("strategies:notifications"))

"""A database outage reaches every user as the 503 page, logged in or not.

A logged-in user's session lives in the database; it is read again while the response goes
out, outside the view, where the outage middleware's process_exception never runs. Every query
here fails the way a dropped server does (OperationalError), on any database.
"""

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from perfreport import health


def _database_down(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
    raise OperationalError("server closed the connection unexpectedly")


def _get(client: Client, url: str):  # type: ignore[no-untyped-def]
    with connection.execute_wrapper(_database_down):
        return client.get(url)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/my-work/"])
def test_a_logged_in_user_gets_the_outage_page(staff_a, item, url):
    client = Client(raise_request_exception=False)
    client.force_login(staff_a)
    response = _get(client, url)
    assert response.status_code == 503
    page = response.content.decode()
    assert "暫時無法連線資料庫" in page
    assert "Server Error" not in page
    assert response["Retry-After"] == "5"


@pytest.mark.django_db
def test_the_next_request_after_the_outage_works(staff_a, item):
    client = Client(raise_request_exception=False)
    client.force_login(staff_a)
    assert _get(client, "/").status_code == 503
    assert client.get(reverse("home")).status_code == 200


def test_any_other_failure_keeps_the_plain_500_page(rf):
    request = rf.get("/")
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = health.server_error(request)
    assert response.status_code == 500
    assert "暫時無法連線資料庫" not in response.content.decode()

"""Sessions expire after SESSION_COOKIE_AGE of inactivity, yet are written at most once a
minute while someone is active (perfreport/session_refresh.py)."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import login

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def session_writes(client, path="/my-work/"):
    """The response to `path` and how many statements wrote the session row."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]
    return response, len(writes)


def signed_in(response):
    return response.status_code == 200


def test_the_settings_pin_the_idle_timeout(settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert 0 < settings.SESSION_COOKIE_AGE <= 60 * 60
    assert 0 < settings.SESSION_REFRESH_SECONDS <= 60
    assert (
        settings.MIDDLEWARE.index("perfreport.session_refresh.SessionRefreshMiddleware")
        == settings.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1
    )


@pytest.mark.django_db
def test_requests_within_a_minute_do_not_write_the_session(client, staff_a):
    with time_machine.travel(START, tick=False) as clock:
        login(client, staff_a)  # signing in writes the session: it counts as the refresh
        for _ in range(3):
            clock.shift(15)
            response, writes = session_writes(client)
            assert signed_in(response)
            assert writes == 0
        clock.shift(20)  # a minute since the sign-in: this request renews the session
        response, writes = session_writes(client)
        assert signed_in(response)
        assert writes == 1
        assert "sessionid" in response.cookies  # the cookie's max-age renewed with the row
        clock.shift(30)
        assert session_writes(client)[1] == 0


@pytest.mark.django_db
def test_an_active_person_is_never_logged_out(client, staff_a, settings):
    settings.SESSION_COOKIE_AGE = 5 * 60
    with time_machine.travel(START, tick=False) as clock:
        login(client, staff_a)
        writes = 0
        for _ in range(40):  # a request every 50 s for 33 minutes, past six idle timeouts
            clock.shift(50)
            response, wrote = session_writes(client)
            assert signed_in(response)
            writes += wrote
        assert writes <= 40 * 50 // 60 + 1  # at most one write a minute


@pytest.mark.django_db
def test_an_idle_person_is_logged_out(client, staff_a, settings):
    settings.SESSION_COOKIE_AGE = 5 * 60
    with time_machine.travel(START, tick=False) as clock:
        login(client, staff_a)
        clock.shift(59)  # a request just before the refresh is due: no write
        response, writes = session_writes(client)
        assert signed_in(response) and writes == 0
        clock.shift(settings.SESSION_COOKIE_AGE - 59)  # idle since: the session has expired
        response = client.get("/my-work/")
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_idle_but_not_for_long_enough_stays_signed_in(client, staff_a, settings):
    settings.SESSION_COOKIE_AGE = 5 * 60
    with time_machine.travel(START, tick=False) as clock:
        login(client, staff_a)
        clock.shift(60)
        assert session_writes(client)[1] == 1  # refreshed now
        clock.shift(settings.SESSION_COOKIE_AGE - 1)
        assert signed_in(client.get("/my-work/"))


@pytest.mark.django_db
def test_requests_without_a_session_write_none(client, db):
    response, writes = session_writes(client, "/healthz/")
    assert response.status_code == 200
    assert writes == 0
    assert "sessionid" not in response.cookies


@pytest.mark.django_db
def test_logging_out_leaves_no_session(client, staff_a):
    login(client, staff_a)
    client.post(reverse("logout"))
    response = client.get("/my-work/")
    assert response.status_code == 302

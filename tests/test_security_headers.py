"""Every page carries the standard security headers and a CSP without inline scripts."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_login_page_has_security_headers(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_anonymous_home_redirects_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_login_is_throttled_after_repeated_failures(client, staff_a, settings):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "staff_a", "password": "wrong"})
    # Even the right password is refused while locked out, and the session stays anonymous.
    response = client.post(url, {"username": "staff_a", "password": "test-pass-123"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


# The idle timeout: tests/test_session_refresh.py.

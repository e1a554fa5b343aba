"""Members change their own password, and reset a forgotten one by email (Django's views, in
the app's layout, Traditional Chinese and English)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.conftest import login
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "Kaohsiung-2025-new-pass"


def _signs_in(client, username: str, password: str) -> bool:
    client.logout()
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def test_a_member_changes_their_own_password_from_the_nav(client, staff_a, year):
    login(client, staff_a)
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("password_change")}"' in home
    page = client.get(reverse("password_change")).content.decode()
    assert "變更密碼" in page

    wrong = client.post(
        reverse("password_change"),
        {"old_password": "not-it", "new_password1": NEW, "new_password2": NEW},
    )
    assert wrong.status_code == 200
    staff_a.refresh_from_db()
    assert staff_a.check_password(PASSWORD)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
        follow=True,
    )
    assert "您的密碼已變更" in response.content.decode()
    # Still signed in on this browser, and the new password works at the next sign-in.
    assert client.get(reverse("home")).status_code == 200
    assert _signs_in(client, "staff_a", NEW)
    assert not _signs_in(client, "staff_a", PASSWORD)


def test_a_forgotten_password_is_reset_by_email(client, staff_a, settings):
    settings.SITE_URL = "https://perf.example.gov.tw/"
    staff_a.email = "staff_a@example.gov.tw"
    staff_a.save()
    login_page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in login_page

    response = client.post(
        reverse("password_reset"),
        {"email": "staff_a@example.gov.tw"},
        HTTP_HOST="127.0.0.1",
        follow=True,
    )
    assert "已寄出重設連結" in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["staff_a@example.gov.tw"]
    assert "重設密碼" in message.subject
    # The link is built from SITE_URL, whatever Host the request named.
    link = re.search(r"https://perf\.example\.gov\.tw(/password-reset/\S+/)", message.body)
    assert link is not None, message.body

    form = client.get(link.group(1), follow=True)
    assert "設定新密碼" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}, follow=True
    )
    assert "您的密碼已重設" in done.content.decode()
    assert _signs_in(client, "staff_a", NEW)
    # The link is spent.
    again = client.get(link.group(1), follow=True).content.decode()
    assert "這個重設密碼連結無效" in again


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, staff_a):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"}, follow=True)
    assert "已寄出重設連結" in response.content.decode()
    assert mail.outbox == []


def test_the_pages_speak_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Forgot your password?" in client.get(reverse("login")).content.decode()
    page = client.get(reverse("password_reset")).content.decode()
    assert "Send the reset link" in page

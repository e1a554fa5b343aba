"""Reminder mail through a real SMTP server on loopback (aiosmtpd, started by the test).

The mailer is configured from the environment as in production; the messages arrive with the
right recipients, subject, text and HTML parts, language and headers; a refused recipient or a
dropped connection is logged, left unlogged as a reminder, and sent by the next run.
"""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from perfreport.mail_config import smtp_mailers
from strategies.deadlines import TAIPEI
from strategies.models import MailPreference, MonthlyEntry, ReminderLog
from tests.certs import make_server_cert
from tests.conftest import login
from tests.smtp_server import start_smtp

pytestmark = pytest.mark.django_db
SITE = "https://perf.example.gov.tw"
DAY = dt.date(
    2024, 3, 7
)  # February is due on 2024-03-10: staff get 預催; January waits for the head


@pytest.fixture
def smtp(settings, monkeypatch):
    controller, handler = start_smtp()
    monkeypatch.setenv("EMAIL_HOST", "127.0.0.1")
    monkeypatch.setenv("EMAIL_PORT", str(controller.port))
    monkeypatch.setenv("EMAIL_TIMEOUT", "5")
    settings.MAILERS = smtp_mailers()
    settings.SITE_URL = SITE
    settings.DEFAULT_FROM_EMAIL = "perfreport@khh.example.gov.tw"
    yield handler
    controller.stop()


@pytest.fixture
def people(staff_a, head_a, item, unit_a):
    for user in (staff_a, head_a):
        user.email = f"{user.username}@khh.example.gov.tw"
        user.save()
    MonthlyEntry.objects.create(
        item=item,
        unit=unit_a,
        month=1,
        status=MonthlyEntry.Status.SUBMITTED,
        created_by=staff_a,
        updated_by=staff_a,
    )
    return staff_a, head_a


def run(day=DAY) -> str:
    err = StringIO()
    with time_machine.travel(dt.datetime.combine(day, dt.time(8), tzinfo=TAIPEI), tick=False):
        call_command("send_reminders", stdout=StringIO(), stderr=err)
    return err.getvalue()


def by_recipient(handler):
    return {r.rcpt_tos[0]: r for r in handler.received}


def test_reminders_arrive_with_both_parts_and_the_headers(smtp, people, item, unit_a):
    staff_a, head_a = people
    run()
    got = by_recipient(smtp)
    assert sorted(got) == ["head_a@khh.example.gov.tw", "staff_a@khh.example.gov.tw"]
    staff_mail = got["staff_a@khh.example.gov.tw"]
    assert staff_mail.mail_from == "perfreport@khh.example.gov.tw"
    message = staff_mail.message
    assert "預催 1" in message["Subject"]
    assert message["To"] == "staff_a@khh.example.gov.tw"
    assert message["List-Unsubscribe"] == f"<{SITE}/settings/notifications/>"
    assert message["Content-Language"] == "zh-hant"
    assert message["Message-ID"].strip().startswith("<perfreport.reminder.")
    assert message["Message-ID"].strip().endswith("@khh.example.gov.tw>")
    assert message.get_content_type() == "multipart/alternative"
    link = SITE + reverse(
        "strategies:entry-edit", kwargs={"item_id": item.pk, "unit_id": unit_a.pk, "month": 2}
    )
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "2 月｜期限 113/03/10" in text and link in text
    assert f'<a href="{link}">' in html and f'href="{SITE}/settings/notifications/"' in html
    head_message = got["head_a@khh.example.gov.tw"].message
    assert "待核定 1" in head_message["Subject"]
    assert "1 月" in head_message.get_body(("plain",)).get_content()


def test_a_member_gets_mail_in_their_language(smtp, people):
    staff_a, _head = people
    staff_a.membership.language = "en"
    staff_a.membership.save()
    run()
    message = by_recipient(smtp)["staff_a@khh.example.gov.tw"].message
    assert message["Subject"].startswith("[Service performance self-assessment]")
    assert message["Content-Language"] == "en"
    assert '<html lang="en">' in message.get_body(("html",)).get_content()


def test_a_second_run_sends_nothing_twice(smtp, people):
    run()
    run()
    assert len(smtp.received) == 2
    assert ReminderLog.objects.count() == 2


def test_the_message_id_is_stable_for_the_same_reminder(smtp, people):
    run()
    first = {r.rcpt_tos[0]: r.message["Message-ID"] for r in smtp.received}
    ReminderLog.objects.all().delete()  # as if the first run's commit had been lost
    smtp.received.clear()
    run()
    assert {r.rcpt_tos[0]: r.message["Message-ID"] for r in smtp.received} == first


def test_a_refused_recipient_is_logged_and_retried_next_run(smtp, people, caplog):
    smtp.refused.add("staff_a@khh.example.gov.tw")
    errors = run()
    assert "郵件伺服器未收下，下次執行時重寄：staff_a" in errors
    assert "reminder to staff_a not sent" in caplog.text
    assert list(by_recipient(smtp)) == ["head_a@khh.example.gov.tw"]
    assert not ReminderLog.objects.filter(recipient__username="staff_a").exists()
    assert ReminderLog.objects.filter(recipient__username="head_a").exists()

    smtp.refused.clear()
    run()
    assert [r.rcpt_tos for r in smtp.received] == [
        ["head_a@khh.example.gov.tw"],
        ["staff_a@khh.example.gov.tw"],
    ]
    assert ReminderLog.objects.filter(recipient__username="staff_a").exists()


def test_a_dropped_connection_is_logged_and_retried_next_run(smtp, people, caplog):
    smtp.drop = True
    errors = run()
    assert "下次執行時重寄" in errors
    assert "SMTPServerDisconnected" in caplog.text or "Connection" in caplog.text
    assert smtp.received == []
    assert not ReminderLog.objects.exists()

    smtp.drop = False
    run()
    assert sorted(by_recipient(smtp)) == ["head_a@khh.example.gov.tw", "staff_a@khh.example.gov.tw"]


def test_a_member_who_turned_reminders_off_gets_none(smtp, people, client):
    staff_a, _head = people
    login(client, staff_a)
    page = client.get(reverse("strategies:notification-settings")).content.decode()
    assert "staff_a@khh.example.gov.tw" in page
    assert 'name="reminders"' in page and "checked" in page
    response = client.post(reverse("strategies:notification-settings"), {})
    assert response.status_code == 302
    assert MailPreference.objects.get(user=staff_a).reminders is False
    assert "checked" not in client.get(reverse("strategies:notification-settings")).content.decode()

    run()
    assert list(by_recipient(smtp)) == ["head_a@khh.example.gov.tw"]
    client.post(reverse("strategies:notification-settings"), {"reminders": "on"})
    run()
    assert "staff_a@khh.example.gov.tw" in by_recipient(smtp)


@pytest.fixture
def relay(settings, monkeypatch, tmp_path):
    """An agency relay: TLS with a certificate the client verifies, then AUTH."""
    cert = make_server_cert(tmp_path)
    controller, handler = start_smtp(cert=cert, credentials=("perfreport", "relay-secret"))
    monkeypatch.setenv("SSL_CERT_FILE", str(cert.ca))  # the agency's CA, trusted by the client
    for name, value in {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(controller.port),
        "EMAIL_USE_SSL": "true",
        "EMAIL_HOST_USER": "perfreport",
        "EMAIL_HOST_PASSWORD": "relay-secret",
        "EMAIL_TIMEOUT": "5",
    }.items():
        monkeypatch.setenv(name, value)
    settings.MAILERS = smtp_mailers()
    settings.SITE_URL = SITE
    yield handler, monkeypatch
    controller.stop()


def test_mail_goes_through_tls_and_credentials(relay, people):
    handler, _env = relay
    run()
    assert sorted(r.rcpt_tos[0] for r in handler.received) == [
        "head_a@khh.example.gov.tw",
        "staff_a@khh.example.gov.tw",
    ]
    assert all(r.tls and r.login == "perfreport" for r in handler.received)


def test_wrong_relay_credentials_are_logged_and_retried(relay, people, settings, caplog):
    handler, env = relay
    env.setenv("EMAIL_HOST_PASSWORD", "expired-secret")
    settings.MAILERS = smtp_mailers()
    assert "下次執行時重寄" in run()
    assert "SMTPAuthenticationError" in caplog.text
    assert handler.received == [] and not ReminderLog.objects.exists()

    env.setenv("EMAIL_HOST_PASSWORD", "relay-secret")
    settings.MAILERS = smtp_mailers()
    run()
    assert len(handler.received) == 2


def test_a_relay_certificate_the_client_does_not_trust_sends_nothing(relay, people, caplog):
    handler, env = relay
    env.delenv("SSL_CERT_FILE")
    assert "下次執行時重寄" in run()
    assert "CERTIFICATE_VERIFY_FAILED" in caplog.text
    assert handler.received == [] and not ReminderLog.objects.exists()

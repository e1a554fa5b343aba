"""Mail to members: one message shape (plain text + HTML, the member's language, a link to
their notification settings, a stable Message-ID) and one way to send it.

    message = build_message(membership, subject, text, html, message_id)
    send(message)          # raises MailNotSent, saying why, when the server refuses it

The Message-ID is the caller's: derive it from what the mail is about (who, which reminder,
which day), so a run that is retried after a crash between the server's acceptance and the
database commit sends a message with the same Message-ID, which mail systems treat as the same
message. SMTP host, port, STARTTLS and credentials come from the environment (settings.MAILERS).
"""

import contextlib
import logging
import smtplib
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.urls import reverse

from strategies.models import Membership

logger = logging.getLogger(__name__)


class MailNotSent(Exception):
    """The mail server refused the message or could not be reached; nothing was delivered."""


def mail_domain() -> str:
    """The domain of the sender address (for Message-IDs), else the site's host."""
    sender = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)
    domain = sender[1].strip("> ") if len(sender) == 2 else ""
    return domain or urlsplit(settings.SITE_URL).hostname or "localhost"


def message_id(*parts: object) -> str:
    """A stable Message-ID from what the mail is about: message_id("reminder", 3, 7, date)."""
    local = ".".join(str(part).replace(" ", "-") for part in ("perfreport", *parts))
    return f"<{local}@{mail_domain()}>"


def settings_url() -> str:
    """Where a member turns mail off: their notification settings page."""
    return settings.SITE_URL.rstrip("/") + reverse("strategies:notification-settings")


def build_message(
    membership: Membership, subject: str, text: str, html: str, message_id: str
) -> EmailMultiAlternatives:
    """A two-part message to the member's address, in their language (rendered by the caller)."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[membership.user.email],
        headers={
            "Message-ID": message_id,
            "Content-Language": membership.language,
            "List-Unsubscribe": f"<{settings_url()}>",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def send(message: EmailMultiAlternatives) -> None:
    """Hand the message to the mail server; MailNotSent if any recipient or the server refuses."""
    connection = mailers.default
    try:
        sent = connection.send_messages([message])
    except (smtplib.SMTPException, OSError) as error:
        logger.warning(
            "mail %s to %s not sent: %s", message.extra_headers.get("Message-ID"), message.to, error
        )
        raise MailNotSent(f"{type(error).__name__}: {error}") from error
    finally:
        # A refused login leaves a half-open connection behind (Django keeps it to close later).
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()
    if not sent:
        logger.warning(
            "mail %s to %s not sent", message.extra_headers.get("Message-ID"), message.to
        )
        raise MailNotSent("the mail backend sent nothing")

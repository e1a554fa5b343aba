"""Unread notifications by email, once each, in the member's language (run by send_reminders).

預催 and 稽催 notices are left out: the reminder mail of the same run already lists them.
A notice is marked emailed in the transaction that sends its mail; a mail that fails rolls the
mark back, so the next run tries again.
"""

from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from strategies import mail
from strategies.auth import User
from strategies.models import Notification
from strategies.selectors.notifications import text_of

Kind = Notification.Kind
IN_REMINDER_MAIL = {Kind.DUE_SOON, Kind.OVERDUE}


def compose(user: User, notices: list[Notification]) -> tuple[str, str, str]:
    """Subject, plain-text and HTML body of one member's digest, in the language active now."""
    subject = _("[提升服務效能自行考核] 您有 %(count)s 則未讀通知") % {"count": len(notices)}
    site = settings.SITE_URL.rstrip("/")
    lines = [_("%(name)s 您好：") % {"name": user.get_full_name() or user.get_username()}, ""]
    for notice in notices:
        lines.append(f"- {text_of(notice)}")
        if notice.link:
            lines.append(f"  {site}{notice.link}")
    inbox = site + reverse("strategies:notifications")
    lines += ["", _("所有通知：%(url)s") % {"url": inbox}]
    html = format_html(
        '<p>{}</p><ul>{}</ul><p><a href="{}">{}</a></p>',
        lines[0],
        format_html_join(
            "",
            '<li><a href="{}">{}</a></li>',
            ((f"{site}{n.link}" if n.link else inbox, text_of(n)) for n in notices),
        ),
        inbox,
        _("所有通知"),
    )
    return subject, "\n".join(lines), html


def email_unread_notifications(*, organization_code: str | None = None) -> int:
    """Mail each member with an email address their unread, not yet mailed notices; returns the
    number of mails sent. Queries: 1 read, then per member 1 update and the mail."""
    rows = (
        Notification.objects.filter(read_at__isnull=True, emailed_at__isnull=True)
        .exclude(kind__in=IN_REMINDER_MAIL)
        .exclude(recipient__email="")
        .exclude(recipient__mail_preference__reminders=False)
        .filter(recipient__is_active=True, recipient__membership__isnull=False)
        .select_related("recipient__membership")
        .order_by("recipient_id", "created_at", "pk")
    )
    if organization_code:
        rows = rows.filter(recipient__membership__organization__code=organization_code)
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for notice in rows:
        by_user[notice.recipient_id].append(notice)
    sent = 0
    for notices in by_user.values():
        user = notices[0].recipient
        try:
            with transaction.atomic():
                claimed = Notification.objects.filter(
                    pk__in=[n.pk for n in notices], emailed_at__isnull=True
                ).update(emailed_at=timezone.now())
                if claimed != len(notices):
                    continue  # another run is mailing them
                membership = user.membership
                with translation.override(membership.language):
                    subject, text, html = compose(user, notices)
                message_id = mail.message_id("notices", user.pk, max(n.pk for n in notices))
                mail.send(mail.build_message(membership, subject, text, html, message_id))
        except mail.MailNotSent:
            continue  # logged by mail.send; the mark rolled back, so the next run tries again
        sent += 1
    return sent

"""Deadline reminders by email: 預催 before the deadline, 稽催 after it, and the heads' queue.

`send_reminders` is meant to run from cron once a day or more often, and is idempotent: a
reminder is logged (ReminderLog) in the same transaction that sends it, so a second run on the
same day finds the log and sends nothing twice; a mail that fails to send rolls its log back and
is tried again next run. What each member gets:

- staff: the unit's entries due within `DUE_SOON_DAYS` days and not yet submitted (預催, once per
  month's deadline), and the entries past their deadline (稽催, again every `OVERDUE_EVERY_DAYS`);
- heads: the unit's entries waiting for their approval (at most once a day).

One mail per member and run (plain text and HTML, through strategies.mail), in the member's
interface language, with a link to each entry built from settings.SITE_URL and one to their
notification settings. Members without an email address, members who turned reminder mail off,
inactive users and years that are not open get nothing. A mail the server refuses (a refused
recipient, a dropped connection) is logged, its ReminderLog rolled back, and the rest of the
run goes on: it is tried again next run. Its Message-ID is stable (recipient, year, day and
what it lists), so a retry after a crash between sending and committing is the same message.
"""

import datetime as dt
import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from strategies import access, deadlines, mail, year_lifecycle
from strategies.models import Membership, MonthlyEntry, ReminderLog, Year
from strategies.roc import roc_date
from strategies.selectors.dashboard import Slot, slots_of_year
from strategies.services import notifications

logger = logging.getLogger(__name__)
Kind = ReminderLog.Kind
Role = Membership.Role

DUE_SOON_DAYS = 3
OVERDUE_EVERY_DAYS = 7
# Days before the same reminder (recipient, kind, year, month) goes out again; None: only once.
RESEND_AFTER_DAYS: dict[str, int | None] = {
    Kind.DUE_SOON: None,
    Kind.OVERDUE: OVERDUE_EVERY_DAYS,
    Kind.AWAITING_APPROVAL: 1,
}


@dataclass
class Sent:
    """What one run did, for the command's summary and the tests."""

    mails: int = 0
    by_kind: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    without_address: list[str] = field(default_factory=list)
    # Refused by the mail server this run (logged; tried again next run).
    failed: list[str] = field(default_factory=list)


def _pending_before_deadline(slot: Slot, today: dt.date) -> bool:
    return slot.state in {"empty", "draft", "returned"} and 0 <= (slot.due - today).days <= (
        DUE_SOON_DAYS
    )


def reminders_for(
    membership: Membership, slots: list[Slot], today: dt.date
) -> dict[str, list[Slot]]:
    """The slots each kind of reminder would list for this member today (before the log)."""
    if access.is_reminded_to_enter(membership):
        return {
            Kind.DUE_SOON: [s for s in slots if _pending_before_deadline(s, today)],
            Kind.OVERDUE: [s for s in slots if s.state == "overdue"],
        }
    if access.is_reminded_to_review(membership):
        waiting = [
            s
            for s in slots
            if s.entry is not None
            and s.entry.status == MonthlyEntry.Status.SUBMITTED
            # Four-eyes: what the head submitted is approved by someone else.
            and access.can_review_entry(membership, s.entry)
        ]
        return {Kind.AWAITING_APPROVAL: waiting}
    return {}


def _already_sent(logs: Iterable[ReminderLog], today: dt.date) -> set[tuple[int, str, int]]:
    """(recipient, kind, month) whose reminder is still fresh today."""
    fresh = set()
    for log in logs:
        every = RESEND_AFTER_DAYS[log.kind]
        if every is None or (today - log.sent_on).days < every:
            fresh.add((log.recipient_id, log.kind, log.month))
    return fresh


def _link(slot: Slot) -> str:
    path = reverse(
        "strategies:entry-edit",
        kwargs={"item_id": slot.item.pk, "unit_id": slot.unit.pk, "month": slot.month},
    )
    return settings.SITE_URL.rstrip("/") + path


def _line(slot: Slot) -> str:
    status = slot.entry_status_label
    return _("%(path)s %(title)s｜%(month)s 月｜期限 %(due)s｜%(status)s\n  %(link)s") % {
        "path": slot.item.path,
        "title": slot.item.title[:60],
        "month": slot.month,
        "due": roc_date(slot.due),
        "status": status,
        "link": _link(slot),
    }


SECTION_TITLES: dict[str, Callable[[], str]] = {
    Kind.DUE_SOON: lambda: _("預催：%(days)s 天內到期、尚未送出的填報") % {"days": DUE_SOON_DAYS},
    Kind.OVERDUE: lambda: _("稽催：已逾期、尚未送出的填報"),
    Kind.AWAITING_APPROVAL: lambda: _("待核定：已送出、等待您核定的填報"),
}


def compose(membership: Membership, year: Year, sections: dict[str, list[Slot]]) -> tuple[str, str]:
    """Subject and body of one member's reminder, in the language active now."""
    counts = "、".join(
        f"{ReminderLog.Kind(kind).label} {len(slots)}" for kind, slots in sections.items()
    )
    subject = _("[提升服務效能自行考核] %(org)s %(year)s 年度填報提醒（%(counts)s）") % {
        "org": year.organization.short_name,
        "year": year.roc_year,
        "counts": counts,
    }
    name = membership.user.get_full_name() or membership.user.get_username()
    parts = [_("%(name)s 您好：") % {"name": name}, ""]
    for kind, slots in sections.items():
        parts.append(SECTION_TITLES[kind]())
        parts.extend(_line(s) for s in slots)
        parts.append("")
    parts.append(
        _("每月填報期限為次月 %(day)s 日。請登入系統處理：%(url)s")
        % {"day": year.deadline_day, "url": settings.SITE_URL.rstrip("/") + "/"}
    )
    return subject, "\n".join(parts)


def compose_html(
    membership: Membership, year: Year, sections: dict[str, list[Slot]], subject: str
) -> str:
    """The HTML part: the same content as `compose`, in the language active now."""
    return render_to_string(
        "strategies/mail/reminder.html",
        {
            "language": membership.language,
            "subject": subject,
            "name": membership.user.get_full_name() or membership.user.get_username(),
            "sections": [
                {
                    "title": SECTION_TITLES[kind](),
                    "lines": [
                        {
                            "path": s.item.path,
                            "title": s.item.title[:60],
                            "month": s.month,
                            "due": s.due.isoformat(),
                            "status": s.entry_status_label,
                            "link": _link(s),
                        }
                        for s in slots
                    ],
                }
                for kind, slots in sections.items()
            ],
            "deadline_day": year.deadline_day,
            "site_url": settings.SITE_URL.rstrip("/") + "/",
            "settings_url": mail.settings_url(),
        },
    )


def reminder_message_id(
    membership: Membership, year: Year, sections: dict[str, list[Slot]], today: dt.date
) -> str:
    """The same for the same recipient, year, day and listed (kind, month) pairs."""
    listed = sorted({(kind, s.month) for kind, slots in sections.items() for s in slots})
    digest = hashlib.sha256(repr(listed).encode()).hexdigest()[:12]
    return mail.message_id("reminder", year.pk, membership.user_id, today.isoformat(), digest)


def _send_one(
    *, membership: Membership, year: Year, sections: dict[str, list[Slot]], today: dt.date
) -> bool:
    """Log and send in one transaction; False when another run logged it first.

    Raises mail.MailNotSent (with the log rolled back) when the server refuses the mail.
    """
    try:
        with transaction.atomic():
            for kind, slots in sections.items():
                months: dict[int, int] = defaultdict(int)
                for slot in slots:
                    months[slot.month] += 1
                for month, count in months.items():
                    log = ReminderLog(
                        recipient=membership.user,
                        kind=kind,
                        year=year,
                        month=month,
                        sent_on=today,
                        entry_count=count,
                    )
                    log.full_clean(validate_constraints=False)
                    log.save()
            with translation.override(membership.language):
                subject, body = compose(membership, year, sections)
                html = compose_html(membership, year, sections, subject)
            message = mail.build_message(
                membership,
                subject,
                body,
                html,
                reminder_message_id(membership, year, sections, today),
            )
            mail.send(message)
    except IntegrityError:
        return False
    return True


def _notify_deadlines(*, membership: Membership, year: Year, wanted: dict[str, list[Slot]]) -> None:
    """The in-app side of 預催 and 稽催: one notice per member, year, month and kind, whether or
    not the member has an email address (the key makes a second run a no-op)."""
    for kind in (Kind.DUE_SOON, Kind.OVERDUE):
        months: dict[int, list[Slot]] = defaultdict(list)
        for slot in wanted.get(kind, []):
            months[slot.month].append(slot)
        for month, slots in months.items():
            notifications.notify(
                recipients=[membership.user],
                kind=kind,
                key=f"{kind}:{year.pk}:{month}",
                link=reverse("strategies:my-work"),
                params={
                    "year": year.roc_year,
                    "month": month,
                    "due": slots[0].due.isoformat(),
                    "count": len(slots),
                },
            )


def open_years() -> list[Year]:
    return list(Year.objects.filter(status=Year.Status.OPEN).select_related("organization"))


def send_reminders(
    *,
    today: dt.date | None = None,
    years: Iterable[Year] | None = None,
    progress: Callable[[Iterable[Year]], Iterable[Year]] = lambda it: it,
) -> Sent:
    """Send today's reminders of every open year (or of `years`); see the module docstring.

    Queries per year: plan 6 + entries 1 + members 1 + recent logs 1, then the writes.
    """
    today = today or deadlines.today_in_taipei()
    sent = Sent()
    years = list(years) if years is not None else open_years()
    horizon = today - dt.timedelta(days=max(d or 0 for d in RESEND_AFTER_DAYS.values()))
    for year in progress(years):
        if not year_lifecycle.takes_entries(year.status):
            continue
        _ctx, by_unit = slots_of_year(year, today=today)
        members = (
            Membership.objects.filter(
                organization_id=year.organization_id,
                role__in=access.ENTRY_REMINDED_ROLES,
                unit__isnull=False,
                user__is_active=True,
            )
            .exclude(user__mail_preference__reminders=False)
            .select_related("user")
            .order_by("unit_id", "user__username")
        )
        logs = ReminderLog.objects.filter(
            Q(sent_on__gte=horizon) | Q(kind=Kind.DUE_SOON), year=year
        )
        fresh = _already_sent(logs.only("recipient_id", "kind", "month", "sent_on"), today)
        for membership in members:
            assert membership.unit_id is not None  # unit__isnull=False above
            wanted = reminders_for(membership, by_unit.get(membership.unit_id, []), today)
            _notify_deadlines(membership=membership, year=year, wanted=wanted)
            sections = {
                kind: [s for s in slots if (membership.user_id, kind, s.month) not in fresh]
                for kind, slots in wanted.items()
            }
            sections = {k: v for k, v in sections.items() if v}
            if not sections:
                continue
            if not membership.user.email:
                sent.without_address.append(membership.user.get_username())
                continue
            try:
                delivered = _send_one(
                    membership=membership, year=year, sections=sections, today=today
                )
            except mail.MailNotSent as error:
                logger.warning(
                    "reminder to %s not sent, will retry next run: %s",
                    membership.user.get_username(),
                    error,
                )
                sent.failed.append(membership.user.get_username())
                continue
            if delivered:
                sent.mails += 1
                for kind, slots in sections.items():
                    sent.by_kind[kind] += len(slots)
    return sent

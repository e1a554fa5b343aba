"""Reading notifications: the unread count for the nav badge, the inbox page, and each notice's
text, rendered in the language active when it is shown (kind + parameters, never a frozen string).
"""

import datetime as dt
from collections.abc import Callable, Mapping

from django.core.paginator import Page, Paginator
from django.utils.translation import gettext as _

from strategies.auth import User
from strategies.models import Notification
from strategies.roc import month_label, roc_date, roc_year

Kind = Notification.Kind
PAGE_SIZE = 20


def unread_count(user: User) -> int:
    """Unread notices of the user: one COUNT on the (recipient, read_at) index."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox_page(user: User, number: int | str | None = 1) -> Page[Notification]:
    """The user's notices, newest first, one page (two queries: count, page)."""
    rows = Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")
    return Paginator(rows, PAGE_SIZE).get_page(number)


def _late(p: Mapping[str, object]) -> str:
    days = p.get("late_days") or 0
    if not days:
        return ""
    return _("（逾期送出，晚了 %(days)s 天）") % {"days": days}


def _due(p: Mapping[str, object]) -> str:
    raw = p.get("due")
    try:
        return roc_date(dt.date.fromisoformat(str(raw)))
    except ValueError:
        return ""


def _fmt(p: Mapping[str, object]) -> dict[str, object]:
    """Parameters as shown: months, years and dates in the reader's language."""
    return {
        **p,
        "month": month_label(p.get("month")),
        "year": roc_year(p.get("year")),
        "due": _due(p),
    }


TEXTS: dict[str, Callable[[dict[str, object]], str]] = {
    Kind.ENTRY_RETURNED: lambda p: (
        _("%(who)s 退回了「%(item)s」%(month)s的填報，原因：%(reason)s") % p
    ),
    Kind.ENTRY_SUBMITTED: lambda p: (
        _("%(who)s 送出了「%(item)s」%(month)s的填報，等待您核定。") % p + _late(p)
    ),
    Kind.ENTRY_APPROVED: lambda p: _("%(who)s 核定了「%(item)s」%(month)s的填報。") % p,
    Kind.ENTRY_COMMENTED: lambda p: _("%(who)s 在「%(item)s」%(month)s的填報留言：%(body)s") % p,
    Kind.ENTRY_REOPENED: lambda p: (
        _("%(who)s 重新開放了「%(item)s」%(month)s的填報，原因：%(reason)s") % p
    ),
    Kind.MONTH_REOPENED: lambda p: _("%(year)s 年 %(month)s已重新開放填報，原因：%(reason)s") % p,
    Kind.YEAR_REOPENED: lambda p: _("%(year)s 年度已重新開放，原因：%(reason)s") % p,
    Kind.DUE_SOON: lambda p: (
        _("%(year)s 年 %(month)s的填報將於 %(due)s 到期，尚有 %(count)s 項未送出。") % p
    ),
    Kind.OVERDUE: lambda p: (
        _("%(year)s 年 %(month)s的填報已逾期（期限 %(due)s），尚有 %(count)s 項未送出。") % p
    ),
    Kind.RESULTS_AWAITING: lambda p: _("「%(item)s」的年度執行績效與成果等待您處理。") % p,
    Kind.SIGNED_OFF: lambda p: _("%(year)s 年度已完成複評，年度已鎖定。") % p,
}


def text_of(notification: Notification) -> str:
    """The notice in the active language; a notice whose parameters no longer fit its text
    falls back to its kind rather than failing the page."""
    params = {k: ("" if v is None else v) for k, v in (notification.params or {}).items()}
    try:
        return TEXTS[notification.kind](_fmt(params))
    except (KeyError, TypeError, ValueError):
        return str(notification.get_kind_display())

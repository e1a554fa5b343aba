"""ROC years, months and dates as people read them, in the active language. The one place they
are formatted: the `roc` template library (perfreport/templatetags/roc.py) registers these
functions as filters, and mails and notices call them directly.

Chinese: 112, 3 月, 113/02/10 (documents: 113年2月10日). English: 112 (2023), Mar,
2024-02-10 (ROC 113).
"""

import datetime as dt
from typing import SupportsInt

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from strategies.deadlines import ROC_OFFSET

MONTH_LABELS = {
    1: _("1 月"),
    2: _("2 月"),
    3: _("3 月"),
    4: _("4 月"),
    5: _("5 月"),
    6: _("6 月"),
    7: _("7 月"),
    8: _("8 月"),
    9: _("9 月"),
    10: _("10 月"),
    11: _("11 月"),
    12: _("12 月"),
}


def english() -> bool:
    return (get_language() or "").startswith("en")


def roc_year(value: object) -> str:
    """112 -> "112" in Chinese, "112 (2023)" in English."""
    if value is None:
        return ""
    if not isinstance(value, SupportsInt | str):
        return str(value)
    try:
        roc = int(value)
    except (TypeError, ValueError):
        return str(value)
    if english():
        return f"{roc} ({roc + ROC_OFFSET})"
    return str(roc)


def roc_month(roc: object, month: object) -> str:
    """(113, 1) -> "113.1" as the seed writes it; in English "113.1 (Jan 2024)"."""
    if not (isinstance(roc, SupportsInt | str) and isinstance(month, SupportsInt | str)):
        return ""
    try:
        year, m = int(roc), int(month)
    except (TypeError, ValueError):
        return ""
    text = f"{year}.{m}"
    if english() and 1 <= m <= 12:
        return f"{text} ({MONTH_LABELS[m]} {year + ROC_OFFSET})"
    return text


def month_label(month: object) -> str:
    """3 -> "3 月" (English: "Mar")."""
    if not isinstance(month, SupportsInt | str):
        return ""
    try:
        return str(MONTH_LABELS[int(month)])
    except (TypeError, ValueError, KeyError):
        return ""


def roc_date_text(day: dt.date, *, long: bool = False, in_english: bool = False) -> str:
    """Pure: 113/02/10, long 113年2月10日, English "2024-02-10 (ROC 113)".

    >>> roc_date_text(dt.date(2024, 2, 10))
    '113/02/10'
    >>> roc_date_text(dt.date(2024, 2, 10), long=True)
    '113年2月10日'
    >>> roc_date_text(dt.date(2024, 2, 10), in_english=True)
    '2024-02-10 (ROC 113)'
    """
    roc = day.year - ROC_OFFSET
    if in_english:
        return f"{day.isoformat()} (ROC {roc})"
    if long:
        return f"{roc}年{day.month}月{day.day}日"
    return f"{roc:03d}/{day.month:02d}/{day.day:02d}"


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    return None


def roc_date(value: object, style: str = "") -> str:
    """The one way a date is shown (`|roc_date`, `|roc_date:"long"` in documents); a datetime
    shows its local date; anything else shows nothing."""
    day = _as_date(value)
    if day is None:
        return ""
    return roc_date_text(day, long=style == "long", in_english=english())


def roc_datetime(value: object) -> str:
    """A moment as its ROC date and local time: 113/02/10 14:05."""
    if not isinstance(value, dt.datetime):
        return roc_date(value)
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{roc_date(local)} {local:%H:%M}"

"""ROC years and months as people read them: 112 年度 in Chinese, "112 (2023)" in English.

Registered as the `roc` template library in settings (`{% load roc %}`).
"""

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

register = template.Library()

ROC_OFFSET = 1911

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


def _english() -> bool:
    return (get_language() or "").startswith("en")


@register.filter
def roc_year(value: object) -> str:
    """112 -> "112" in Chinese, "112 (2023)" in English."""
    try:
        roc = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return "" if value is None else str(value)
    if _english():
        return f"{roc} ({roc + ROC_OFFSET})"
    return str(roc)


@register.filter
def roc_month(roc: object, month: object) -> str:
    """(113, 1) -> "113.1" as the seed writes it; in English "113.1 (Jan 2024)"."""
    try:
        year, m = int(roc), int(month)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return ""
    text = f"{year}.{m}"
    if _english() and 1 <= m <= 12:
        return f"{text} ({MONTH_LABELS[m]} {year + ROC_OFFSET})"
    return text


@register.filter
def month_label(month: object) -> str:
    """3 -> "3 月" (English: "Mar")."""
    try:
        return str(MONTH_LABELS[int(month)])  # type: ignore[call-overload]
    except (TypeError, ValueError, KeyError):
        return ""

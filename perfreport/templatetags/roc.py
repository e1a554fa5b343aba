"""ROC years, months and dates in templates: `{{ 112|roc_year }}`, `{{ 3|month_label }}`,
`{{ day|roc_date }}` (113/02/10), `{{ day|roc_date:"long" }}` (113年2月10日),
`{{ moment|roc_datetime }}` (113/02/10 14:05); English keeps ISO dates with the ROC year.

Registered as a builtin (no `{% load %}` needed). The functions live in strategies.roc, so mails
and notices format the same way.
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django_stubs_ext import StrPromise

from strategies.change_reasons import reason_text
from strategies.roc import (
    MONTH_LABELS,
    english,
    month_label,
    roc_date,
    roc_datetime,
    roc_month,
    roc_year,
)

register = template.Library()
register.filter("roc_year", roc_year)
register.filter("roc_month", roc_month)
register.filter("month_label", month_label)
register.filter("roc_date", roc_date)
register.filter("roc_datetime", roc_datetime)
# A recorded change's reason: the ones the application writes in the reader's language.
register.filter("change_reason", reason_text)


@register.filter(needs_autoescape=True)
def parens(value: str | StrPromise, autoescape: bool = True) -> SafeString:
    """A remark in brackets as each language writes them: （填報中） / " (Open for entry)"."""
    text = conditional_escape(value) if autoescape else str(value)
    return mark_safe(f" ({text})" if english() else f"（{text}）")  # noqa: S308 - escaped above


__all__ = ["MONTH_LABELS", "month_label", "roc_date", "roc_datetime", "roc_month", "roc_year"]

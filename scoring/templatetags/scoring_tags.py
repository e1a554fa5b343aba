"""Display of scores: integers when whole, else one decimal; differences with their sign;
grades in the reader's language."""

from decimal import Decimal

from django import template

from scoring.grades import Grade
from strategies import number_format

register = template.Library()


@register.filter
def score(value: Decimal | int | None) -> str:
    """184.0 -> "184", 115.5 -> "115.5", None -> ""."""
    return number_format.one_decimal(value)


@register.filter
def signed(value: Decimal | int | None) -> str:
    """A difference: -68.5 -> "−68.5", 2 -> "+2"."""
    if value is None:
        return ""
    text = number_format.one_decimal(abs(Decimal(str(value))))
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else text)


@register.filter
def grade_label(value: str | None) -> str:
    """A grade as the reader's language names it: 優, or Excellent in English ("" stays "")."""
    if not value:
        return ""
    return str(Grade(value).label) if value in Grade.values else value

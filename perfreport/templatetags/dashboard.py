"""Links from the dashboards into the entry pages (registered as the `dashboard` library)."""

from django import template
from django.urls import NoReverseMatch, reverse

from strategies.selectors.dashboard import Slot

register = template.Library()

ENTRY_URL_NAME = "strategies:entry-edit"


@register.simple_tag
def entry_url(slot: Slot) -> str:
    """The entry form of the slot's (item, unit, month); "" until the entry pages exist."""
    try:
        return reverse(
            ENTRY_URL_NAME,
            kwargs={
                "item_id": slot.item.pk,
                "unit_id": slot.unit.pk,
                "month": slot.month,
            },
        )
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def page_query(context: template.Context, param: str, number: int) -> str:
    """The current query string with one list's page set (`?year=3&due_page=2`): each list of
    the home page turns its pages without resetting the other's."""
    query = context["request"].GET.copy()
    query[param] = str(number)
    return "?" + query.urlencode()

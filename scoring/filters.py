"""Filters of the auditor's review page: a keyword, dimension, host unit and entry status."""

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from strategies.filters import KEYWORD_HELP, item_keyword_q, model_choice_filter
from strategies.models import Item, MonthlyEntry, Unit, Year

MISSING = "missing"


class ReviewFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("關鍵字"), method="filter_keyword", help_text=KEYWORD_HELP, max_length=100
    )
    dimension = django_filters.ChoiceFilter(
        label=_("構面"),
        field_name="method__strategy__dimension__number",
        empty_label=_("全部構面"),
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("主辦單位"),
        field_name="host_units",
        queryset=Unit.objects.none(),
        empty_label=_("全部單位"),
    )
    status = django_filters.ChoiceFilter(
        label=_("填報狀態"),
        choices=[
            *MonthlyEntry.Status.choices,
            (MISSING, _("尚無填報")),
        ],
        method="filter_status",
        empty_label=_("全部狀態"),
    )

    class Meta:
        model = Item
        fields: list[str] = []

    def __init__(
        self,
        data: QueryDict | None = None,
        queryset: QuerySet[Item] | None = None,
        *,
        year: Year,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, queryset, **kwargs)
        self.year = year
        self.filters["dimension"].extra["choices"] = [
            (str(d.number), str(d)) for d in year.dimensions.order_by("number")
        ]
        model_choice_filter(self, "unit").queryset = Unit.objects.filter(
            organization_id=year.organization_id
        ).order_by("order", "name")

    def filter_keyword(self, queryset: QuerySet[Item], name: str, value: str) -> QuerySet[Item]:
        return queryset.filter(item_keyword_q(self.year, value))

    def filter_status(self, queryset: QuerySet[Item], name: str, value: str) -> QuerySet[Item]:
        """Items with at least one entry in that status (or with no entry at all)."""
        entries = MonthlyEntry.objects.filter(item_id=OuterRef("pk"))
        if value == MISSING:
            return queryset.filter(~Exists(entries))
        return queryset.filter(Exists(entries.filter(status=value)))

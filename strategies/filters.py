"""My work's filters (django-filter): dimension, strategy, and a month's status."""

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from strategies import numbering
from strategies.models import Dimension, Item, Strategy, Year
from strategies.selectors.entries import STATUS_FILTER_CHOICES


class MyWorkFilter(django_filters.FilterSet):
    dimension = django_filters.ModelChoiceFilter(
        label=_("構面"),
        field_name="method__strategy__dimension",
        queryset=Dimension.objects.none(),
        empty_label=_("全部構面"),
    )
    strategy = django_filters.ModelChoiceFilter(
        label=_("執行策略"),
        field_name="method__strategy",
        queryset=Strategy.objects.none(),
        empty_label=_("全部策略"),
    )
    # Status lives in the month strip (overdue is computed from today), so the selector
    # applies it to the rows; here it only validates the choice.
    status = django_filters.ChoiceFilter(
        label=_("月份狀態"),
        choices=STATUS_FILTER_CHOICES,
        method="keep_all",
        empty_label=_("全部狀態"),
    )

    class Meta:
        model = Item
        fields: list[str] = []

    def __init__(self, *args, year: Year, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.filters["dimension"].queryset = Dimension.objects.filter(year=year)
        self.filters["strategy"].queryset = Strategy.objects.filter(
            dimension__year=year, is_retired=False
        ).select_related("dimension")
        field = self.form.fields["strategy"]
        field.label_from_instance = lambda s: (
            f"{s.dimension.label}{numbering.strategy_label(s.order)} {s.title}"
        )  # type: ignore[attr-defined]

    def keep_all(self, queryset: QuerySet[Item], name: str, value: str) -> QuerySet[Item]:
        return queryset

    @property
    def status_value(self) -> str:
        return self.form.cleaned_data.get("status") or "" if self.form.is_valid() else ""

"""My work's filters (django-filter): a keyword, dimension, strategy, and a month's status."""

from collections.abc import Callable
from typing import Any

import django_filters
import django_filters.fields
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from strategies import numbering
from strategies.models import Dimension, Item, MonthlyEntry, Strategy, Year
from strategies.selectors.entries import STATUS_FILTER_CHOICES, number_paths

STRATEGY_CHOICES = 50
KEYWORD_HELP = _("項目名稱、編號（如 一(二)1）、填報內容或填報人")


def normalize_path(text: str) -> str:
    """A number path as people type it: full-width brackets and stops, spaces, a final dot."""
    table = str.maketrans({"（": "(", "）": ")", "．": ".", "。": "."})
    return "".join(text.translate(table).split()).rstrip(".")


def item_keyword_q(year: Year, value: str, *, prefix: str = "") -> Q:
    """Items whose title, method, number path, entry narrative or entry author matches."""
    value = value.strip()
    if not value:
        return Q()
    path = normalize_path(value)
    paths = [pk for pk, p in number_paths(year).items() if path and p.startswith(path)]
    users = get_user_model().objects.filter(
        Q(username__icontains=value)
        | Q(first_name__icontains=value)
        | Q(last_name__icontains=value)
    )
    entries = MonthlyEntry.objects.filter(item_id=OuterRef(f"{prefix}pk")).filter(
        Q(narrative__icontains=value)
        | Q(updated_by__in=users.values("pk"))
        | Q(created_by__in=users.values("pk"))
    )
    return (
        Q(**{f"{prefix}title__icontains": value})
        | Q(**{f"{prefix}method__title__icontains": value})
        | Q(**{f"{prefix}pk__in": paths})
        | Q(Exists(entries))
    )


def model_choice_filter(
    filterset: django_filters.FilterSet, name: str
) -> django_filters.ModelChoiceFilter:
    """The filterset's model choice filter `name`, whose choices depend on the year."""
    found = filterset.filters[name]
    assert isinstance(found, django_filters.ModelChoiceFilter)
    return found


def strategy_choice_label(strategy: Strategy) -> str:
    return f"{strategy.dimension.label}{numbering.strategy_label(strategy.order)} {strategy.title}"


class _StrategyChoiceField(django_filters.fields.ModelChoiceField):
    """Labels each strategy as the filterset numbers it (set per form by MyWorkFilter)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.labeler: Callable[[Strategy], str] = strategy_choice_label

    def label_from_instance(self, obj: Strategy) -> str:
        return self.labeler(obj)


class _StrategyFilter(django_filters.ModelChoiceFilter):
    field_class = _StrategyChoiceField


class MyWorkFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("關鍵字"), method="filter_keyword", help_text=KEYWORD_HELP, max_length=100
    )
    dimension = django_filters.ModelChoiceFilter(
        label=_("構面"),
        field_name="method__strategy__dimension",
        queryset=Dimension.objects.none(),
        empty_label=_("全部構面"),
    )
    strategy = _StrategyFilter(
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

    def __init__(self, *args: Any, year: Year, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year = year
        dimensions = Dimension.objects.filter(year=year).order_by("number")
        model_choice_filter(self, "dimension").queryset = dimensions
        strategies = Strategy.objects.filter(dimension__year=year, is_retired=False).select_related(
            "dimension"
        )
        model_choice_filter(self, "strategy").queryset = strategies
        # (self.form is built from the filters' querysets on first use: only now.)
        # The choices as a list read in one query: a model choice field would iterate its
        # queryset with a server-side cursor on PostgreSQL (DECLARE, FETCH, CLOSE).
        dimension_field = self.form.fields["dimension"]
        assert isinstance(dimension_field, django_filters.fields.ModelChoiceField)
        dimension_field.widget.choices = [("", dimension_field.empty_label)] + [
            (d.pk, dimension_field.label_from_instance(d)) for d in dimensions
        ]
        field = self.form.fields["strategy"]
        assert isinstance(field, _StrategyChoiceField)
        # Any strategy of the year is accepted, but the list offers those of the chosen
        # dimension only (at most STRATEGY_CHOICES; the keyword finds the rest): a year at 100x
        # the seed has a thousand strategies. Numbered as the report numbers them: a retired
        # strategy keeps no number and the rest of its dimension renumber.
        data = self.data or {}
        live = strategies
        siblings: list[Strategy] = []
        shown: list[Strategy] = []
        dimension, chosen = str(data.get("dimension", "")), str(data.get("strategy", ""))
        if dimension.isdigit():
            siblings = list(
                live.filter(dimension_id=int(dimension)).order_by("order")[:STRATEGY_CHOICES]
            )
            shown = siblings
        elif chosen.isdigit():
            siblings = list(live.filter(dimension__strategies=int(chosen)).order_by("order"))
            shown = [s for s in siblings if str(s.pk) == chosen]
        numbers = numbering.positions((s.pk, s.is_retired) for s in siblings)

        def label(strategy: Strategy) -> str:
            position = numbers.get(strategy.pk, (strategy.order, 0))[0]
            return (
                f"{strategy.dimension.label}{numbering.strategy_label(position)} {strategy.title}"
            )

        field.labeler = label
        field.widget.choices = [("", field.empty_label)] + [(s.pk, label(s)) for s in shown]
        if not shown:
            field.help_text = _("先選構面")

    def filter_keyword(self, queryset: QuerySet[Item], name: str, value: str) -> QuerySet[Item]:
        return queryset.filter(item_keyword_q(self.year, value))

    def keep_all(self, queryset: QuerySet[Item], name: str, value: str) -> QuerySet[Item]:
        return queryset

    @property
    def status_value(self) -> str:
        return self.form.cleaned_data.get("status") or "" if self.form.is_valid() else ""

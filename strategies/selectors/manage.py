"""Reads for an organization's admin pages: the plan tree with its numbering, units, members.

Each selector runs a fixed number of queries, whatever the size of the plan or organization.
"""

from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from strategies import numbering
from strategies.models import (
    Dimension,
    Indicator,
    Item,
    Membership,
    Method,
    Organization,
    Strategy,
    Unit,
    Year,
)


@dataclass
class ItemNode:
    item: Item
    label: str  # "(1)" among the method's items in use, "" when alone or retired
    indicators: list[Indicator]
    host_units: list[Unit]


@dataclass
class MethodNode:
    method: Method
    label: str
    items: list[ItemNode] = field(default_factory=list)


@dataclass
class StrategyNode:
    strategy: Strategy
    label: str
    methods: list[MethodNode] = field(default_factory=list)


@dataclass
class DimensionNode:
    dimension: Dimension
    strategies: list[StrategyNode] = field(default_factory=list)
    strategy_count: int = 0  # all its strategies, shown or not

    @property
    def sheet_name(self) -> str:
        return f"構面{self.dimension.label}"


class _Place(NamedTuple):
    """A plan node's place among its siblings: enough to number them."""

    pk: int
    is_retired: bool


def _labels(
    nodes: Sequence[Strategy | Method | Item | _Place], label: Callable[[int, int], str]
) -> list[str]:
    """Number the nodes in use in order; retired ones get no number."""
    active = [n for n in nodes if not n.is_retired]
    position = {n.pk: i for i, n in enumerate(active, start=1)}
    return [label(position[n.pk], len(active)) if n.pk in position else "" for n in nodes]


def plan_tree(
    year: Year,
    *,
    include_retired: bool = True,
    strategy_ids: Collection[int] | None = None,
    item_ids: Collection[int] | None = None,
) -> list[DimensionNode]:
    """The year's plan as a numbered tree. Six queries: dimensions, strategies, methods, items,
    their host units and their indicators; with `strategy_ids` seven (every strategy's place as
    plain rows, then the strategies shown). With `strategy_ids` (a page of the plan editor) only
    those strategies' methods and items are read, and with `item_ids` only those items are
    kept (a keyword search); numbering counts every sibling all the same."""
    items = Item.objects.order_by("order").prefetch_related(
        Prefetch("host_units", queryset=Unit.objects.order_by("order", "name")),
        Prefetch("indicators", queryset=Indicator.objects.order_by("order")),
    )
    methods = Method.objects.filter(strategy__dimension__year=year).order_by("order")
    if strategy_ids is not None:
        methods = methods.filter(strategy_id__in=strategy_ids)
    # Methods (and their items) are read apart, not prefetched through every strategy: a page
    # of the plan editor needs fifteen strategies' methods, not a thousand empty lists.
    methods_of: dict[int, list[Method]] = defaultdict(list)
    for method in methods.prefetch_related(Prefetch("items", queryset=items)):
        methods_of[method.strategy_id].append(method)
    dimensions = Dimension.objects.filter(year=year).order_by("number")
    # Every strategy's place among its siblings (numbering counts them all), as plain rows; in
    # full only the strategies shown (a page of the plan editor reads fifteen, not a thousand).
    year_strategies = Strategy.objects.filter(dimension__year=year).order_by("order")
    if strategy_ids is None:
        rows = [(s.pk, s.dimension_id, s.is_retired) for s in year_strategies]
        strategy_of = {s.pk: s for s in year_strategies}
    else:
        rows = list(year_strategies.values_list("pk", "dimension_id", "is_retired"))
        strategy_of = {s.pk: s for s in year_strategies.filter(pk__in=strategy_ids)}
    places: dict[int, list[_Place]] = defaultdict(list)
    for pk, dimension_id, is_retired in rows:
        places[dimension_id].append(_Place(pk, is_retired))
    tree = []
    for dim in dimensions:
        siblings = places[dim.pk]
        dnode = DimensionNode(dim, strategy_count=len(siblings))
        for place, s_label in zip(
            siblings, _labels(siblings, lambda p, n: numbering.strategy_label(p)), strict=True
        ):
            if place.is_retired and not include_retired:
                continue
            if place.pk not in strategy_of:
                continue
            strategy = strategy_of[place.pk]
            snode = StrategyNode(strategy, s_label)
            strategy_methods = methods_of[strategy.pk]
            for method, m_label in zip(
                strategy_methods, _labels(strategy_methods, numbering.method_label), strict=True
            ):
                if method.is_retired and not include_retired:
                    continue
                mnode = MethodNode(method, m_label)
                its = list(method.items.all())
                for item, i_label in zip(its, _labels(its, numbering.item_label), strict=True):
                    if item.is_retired and not include_retired:
                        continue
                    if item_ids is not None and item.pk not in item_ids:
                        continue
                    mnode.items.append(
                        ItemNode(
                            item, i_label, list(item.indicators.all()), list(item.host_units.all())
                        )
                    )
                if item_ids is None or mnode.items:
                    snode.methods.append(mnode)
            dnode.strategies.append(snode)
        tree.append(dnode)
    return tree


PLAN_PAGE_SIZE = 15  # strategies a page: the seed's eleven fit on one


def plan_strategies(year: Year) -> QuerySet[Strategy]:
    """The year's strategies in plan order: what the plan editor pages through."""
    return Strategy.objects.filter(dimension__year=year).order_by(
        "dimension__number", "order", "pk"
    )


def plan_page_of(strategy: Strategy) -> int:
    """The plan editor's page showing the strategy (one query)."""
    before = plan_strategies(strategy.dimension.year).filter(
        Q(dimension__number__lt=strategy.dimension.number)
        | Q(dimension__number=strategy.dimension.number, order__lt=strategy.order)
        | Q(dimension__number=strategy.dimension.number, order=strategy.order, pk__lt=strategy.pk)
    )
    return before.count() // PLAN_PAGE_SIZE + 1


def years_of(organization: Organization) -> QuerySet[Year]:
    """The organization's years, newest first, with the year each was copied from (one query)."""
    return (
        Year.objects.filter(organization=organization)
        .select_related("organization", "copied_from")
        .annotate(
            item_count=Count(
                "dimensions__strategies__methods__items",
                filter=Q(dimensions__strategies__methods__items__is_retired=False),
            )
        )
        .order_by("-roc_year")
    )


def units_of(organization: Organization) -> QuerySet[Unit]:
    """Units in use first, then retired ones, with how many active members each has (one query)."""
    return (
        Unit.objects.filter(organization=organization)
        .annotate(member_count=Count("members", filter=Q(members__user__is_active=True)))
        .order_by("-is_active", "order", "name")
    )


def members_of(organization: Organization) -> QuerySet[Membership]:
    """Members with their user and unit (one query), active accounts first. Accounts of
    Django's admin site (superusers, is_staff) are not the organization's to manage and are
    left out (strategies.access.can_manage_member)."""
    return (
        Membership.objects.filter(
            organization=organization, user__is_superuser=False, user__is_staff=False
        )
        .select_related("user", "unit", "organization")
        .order_by("-user__is_active", "role", "unit__order", "user__username")
    )


def locked_out_usernames(organization: Organization) -> set[str]:
    """User names of the organization's members locked out from at least one address right
    now: failures of one (name, address) pair reaching the limit within the cool-off (one
    query)."""
    attempts = AccessAttempt.objects.filter(
        username__in=Membership.objects.filter(organization=organization).values("user__username")
    )
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return set(
        attempts.values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .values_list("username", flat=True)
    )


def year_history(year: Year, *, limit: int = 20) -> list[Any]:
    """The year's recorded status changes, newest first, with who and why (one query)."""
    return list(
        year.history.select_related("history_user").order_by("-history_date", "-history_id")[:limit]
    )

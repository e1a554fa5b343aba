"""Reads for an organization's admin pages: the plan tree with its numbering, units, members.

Each selector runs a fixed number of queries, whatever the size of the plan or organization.
"""

from dataclasses import dataclass, field

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

    @property
    def sheet_name(self) -> str:
        return f"構面{self.dimension.label}"


def _labels(nodes: list, label) -> list[str]:  # type: ignore[no-untyped-def,type-arg]
    """Number the nodes in use in order; retired ones get no number."""
    active = [n for n in nodes if not n.is_retired]
    position = {n.pk: i for i, n in enumerate(active, start=1)}
    return [label(position[n.pk], len(active)) if n.pk in position else "" for n in nodes]


def plan_tree(year: Year, *, include_retired: bool = True) -> list[DimensionNode]:
    """The year's plan as a numbered tree. Six queries: dimensions, strategies, methods, items,
    their host units and their indicators."""
    items = Item.objects.order_by("order").prefetch_related(
        Prefetch("host_units", queryset=Unit.objects.order_by("order", "name")),
        Prefetch("indicators", queryset=Indicator.objects.order_by("order")),
    )
    dimensions = (
        Dimension.objects.filter(year=year)
        .order_by("number")
        .prefetch_related(
            Prefetch("strategies", queryset=Strategy.objects.order_by("order")),
            Prefetch("strategies__methods", queryset=Method.objects.order_by("order")),
            Prefetch("strategies__methods__items", queryset=items),
        )
    )
    tree = []
    for dim in dimensions:
        dnode = DimensionNode(dim)
        strategies = list(dim.strategies.all())
        for strategy, s_label in zip(
            strategies, _labels(strategies, lambda p, n: numbering.strategy_label(p)), strict=True
        ):
            if strategy.is_retired and not include_retired:
                continue
            snode = StrategyNode(strategy, s_label)
            methods = list(strategy.methods.all())
            for method, m_label in zip(
                methods, _labels(methods, numbering.method_label), strict=True
            ):
                if method.is_retired and not include_retired:
                    continue
                mnode = MethodNode(method, m_label)
                its = list(method.items.all())
                for item, i_label in zip(its, _labels(its, numbering.item_label), strict=True):
                    if item.is_retired and not include_retired:
                        continue
                    mnode.items.append(
                        ItemNode(
                            item, i_label, list(item.indicators.all()), list(item.host_units.all())
                        )
                    )
                snode.methods.append(mnode)
            dnode.strategies.append(snode)
        tree.append(dnode)
    return tree


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


def year_history(year: Year, *, limit: int = 20) -> list:  # type: ignore[type-arg]
    """The year's recorded status changes, newest first, with who and why (one query)."""
    return list(
        year.history.select_related("history_user").order_by("-history_date", "-history_id")[:limit]
    )

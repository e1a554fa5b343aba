"""The plan editor's writes: strategies, methods, items and indicators of a year in planning.

Numbers are never stored: (一), 1. and (1) follow the order of the siblings still in use, so
adding, moving or retiring renumbers the plan by itself (strategies.numbering). A year that is
open keeps its structure: the admin first reopens planning, with a reason (services.years).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils.translation import gettext

from strategies.auth import User
from strategies.errors import DomainError
from strategies.models import Dimension, Indicator, Item, Method, Strategy, Unit, Year
from strategies.models.audit import record_change

Status = Year.Status
PlanNode = Strategy | Method | Item


def year_of(node: Dimension | PlanNode | Indicator) -> Year:
    """The year a plan node belongs to (walks up the select_related chain)."""
    if isinstance(node, Indicator):
        node = node.item
    if isinstance(node, Item):
        node = node.method
    if isinstance(node, Method):
        node = node.strategy
    if isinstance(node, Strategy):
        node = node.dimension
    return node.year


def require_planning(year: Year) -> None:
    """Refuse structure changes outside planning, saying how to get there."""
    if year.status != Status.PLANNING:
        raise DomainError(
            gettext(
                "%(year)s目前為「%(status)s」，架構與目標值不能修改。"
                "如需修改，請先在年度管理頁「重新開放規劃」並填寫原因。"
            )
            % {"year": year, "status": year.get_status_display()}
        )


def _lock_year(node: Dimension | PlanNode | Indicator) -> Year:
    year = Year.objects.select_for_update().get(pk=year_of(node).pk)
    require_planning(year)
    return year


def _clean(obj: models.Model) -> None:
    try:
        obj.full_clean()
    except ValidationError as error:
        raise DomainError("；".join(_messages(error))) from error


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        out: list[str] = []
        for field, errors in error.message_dict.items():
            label = field
            out.extend(f"{label}：{m}" if field != "__all__" else m for m in errors)
        return out
    return list(error.messages)


def _save(obj: models.Model, user: User, reason: str) -> None:
    record_change(obj, user=user, reason=reason)
    _clean(obj)
    obj.save()


def _next_order(queryset: models.QuerySet[Dimension | PlanNode | Indicator]) -> int:
    return (queryset.aggregate(m=Max("order"))["m"] or 0) + 1


def _title(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(gettext("請填寫%(what)s。") % {"what": what})
    return text


# --- strategies ---------------------------------------------------------------------------


def add_strategy(*, dimension: Dimension, title: str, user: User) -> Strategy:
    """A new strategy at the end of the dimension."""
    with transaction.atomic():
        _lock_year(dimension)
        strategy = Strategy(
            dimension=dimension,
            order=_next_order(dimension.strategies.all()),
            title=_title(title, "執行策略"),
        )
        _save(strategy, user, "新增執行策略")
    return strategy


def update_strategy(*, strategy: Strategy, title: str, user: User) -> Strategy:
    with transaction.atomic():
        _lock_year(strategy)
        strategy.title = _title(title, "執行策略")
        _save(strategy, user, "修改執行策略")
    return strategy


# --- methods ------------------------------------------------------------------------------


def add_method(*, strategy: Strategy, title: str, description: str = "", user: User) -> Method:
    """A new method at the end of the strategy."""
    with transaction.atomic():
        _lock_year(strategy)
        method = Method(
            strategy=strategy,
            order=_next_order(strategy.methods.all()),
            title=_title(title, "執行方法"),
            description=(description or "").strip(),
        )
        _save(method, user, "新增執行方法")
    return method


def update_method(*, method: Method, title: str, description: str = "", user: User) -> Method:
    with transaction.atomic():
        _lock_year(method)
        method.title = _title(title, "執行方法")
        method.description = (description or "").strip()
        _save(method, user, "修改執行方法")
    return method


# --- items --------------------------------------------------------------------------------


def _check_hosts(year: Year, host_units: list[Unit]) -> None:
    if not host_units:
        raise DomainError(gettext("每個填報項目至少要有一個主辦單位。"))
    for unit in host_units:
        if unit.organization_id != year.organization_id:
            raise DomainError(
                gettext("「%(unit)s」不是%(organization)s的單位。")
                % {"unit": unit.name, "organization": year.organization.short_name}
            )
        if not unit.is_active:
            raise DomainError(
                gettext("「%(unit)s」已停用，不能擔任主辦單位。") % {"unit": unit.name}
            )


def _host_label(host_label: str, host_units: list[Unit]) -> str:
    label = (host_label or "").strip()
    return label or "、".join(u.name for u in sorted(host_units, key=lambda u: (u.order, u.name)))


def add_item(
    *,
    method: Method,
    title: str = "",
    host_units: list[Unit],
    host_label: str = "",
    planned_actions: str = "",
    user: User,
) -> Item:
    """A new item at the end of the method. The host label defaults to the units' names."""
    with transaction.atomic():
        year = _lock_year(method)
        _check_hosts(year, host_units)
        item = Item(
            method=method,
            order=_next_order(method.items.all()),
            title=(title or "").strip(),
            host_label=_host_label(host_label, host_units),
            planned_actions=(planned_actions or "").strip(),
        )
        _save(item, user, "新增填報項目")
        item.host_units.set(host_units)
    return item


def update_item(
    *,
    item: Item,
    title: str,
    host_units: list[Unit],
    host_label: str = "",
    planned_actions: str = "",
    user: User,
) -> Item:
    with transaction.atomic():
        year = _lock_year(item)
        _check_hosts(year, host_units)
        item.title = (title or "").strip()
        item.host_label = _host_label(host_label, host_units)
        item.planned_actions = (planned_actions or "").strip()
        _save(item, user, "修改填報項目")
        item.host_units.set(host_units)
    return item


# --- indicators ---------------------------------------------------------------------------


def add_indicator(
    *,
    item: Item,
    name: str,
    measure: str,
    target: Decimal | None,
    aggregation: str = Indicator.Aggregation.SUM,
    allows_decimals: bool = False,
    user: User,
) -> Indicator:
    with transaction.atomic():
        _lock_year(item)
        indicator = Indicator(
            item=item,
            order=_next_order(item.indicators.all()),
            name=_title(name, "指標名稱"),
            measure=_title(measure, "指標的單位（場次、件、家…）"),
            target=target,
            aggregation=aggregation,
            allows_decimals=allows_decimals,
        )
        _save(indicator, user, "新增量化指標")
    return indicator


def update_indicator(
    *,
    indicator: Indicator,
    name: str,
    measure: str,
    target: Decimal | None,
    aggregation: str,
    allows_decimals: bool,
    user: User,
) -> Indicator:
    with transaction.atomic():
        _lock_year(indicator)
        indicator.name = _title(name, "指標名稱")
        indicator.measure = _title(measure, "指標的單位（場次、件、家…）")
        indicator.target = target
        indicator.aggregation = aggregation
        indicator.allows_decimals = allows_decimals
        _save(indicator, user, "修改量化指標")
    return indicator


def remove_indicator(*, indicator: Indicator, user: User) -> None:
    """Remove an indicator nobody has reported on yet; one with values stays."""
    with transaction.atomic():
        _lock_year(indicator)
        if indicator.values.exists():
            raise DomainError(
                gettext("「%(indicator)s」已有填報數值，不能刪除。") % {"indicator": indicator.name}
            )
        indicator._history_user = user
        indicator._change_reason = "刪除量化指標"
        indicator.delete()


# --- order and retirement, for all three kinds --------------------------------------------


def _siblings(node: PlanNode) -> models.QuerySet[PlanNode]:
    if isinstance(node, Strategy):
        return Strategy.objects.filter(dimension_id=node.dimension_id)
    if isinstance(node, Method):
        return Method.objects.filter(strategy_id=node.strategy_id)
    return Item.objects.filter(method_id=node.method_id)


def move(*, node: PlanNode, direction: str, user: User) -> PlanNode:
    """Swap the node with its previous ("up") or next ("down") sibling; at an end, no change."""
    if direction not in {"up", "down"}:
        raise DomainError(gettext("只能上移或下移。"))
    with transaction.atomic():
        _lock_year(node)
        siblings = _siblings(node).select_for_update().order_by("order")
        neighbour = (
            siblings.filter(order__lt=node.order).order_by("-order").first()
            if direction == "up"
            else siblings.filter(order__gt=node.order).first()
        )
        if neighbour is None:
            return node
        mine, theirs = node.order, neighbour.order
        # The (parent, order) pair is unique: park one side outside the range while swapping.
        parked = _next_order(siblings)
        type(node).objects.filter(pk=node.pk).update(order=parked)
        neighbour.order = mine
        _save(neighbour, user, "調整順序")
        node.order = theirs
        _save(node, user, "調整順序")
    return node


def set_retired(*, node: PlanNode, retired: bool, user: User) -> PlanNode:
    """Retire (停用) or restore a strategy, method or item. Nothing is deleted: a retired node
    keeps its entries and history, drops out of numbering and is not copied to the next year."""
    with transaction.atomic():
        _lock_year(node)
        node.is_retired = retired
        _save(node, user, "停用" if retired else "恢復使用")
    return node

"""Copy a year's plan into a new year: the structure and targets, never the results.

The scoring side (grade bands, an empty score sheet) is copied by `scoring.year_setup`, which
the copy-year command and page call in the same transaction: strategies never imports scoring.
"""

from django.db import models, transaction

from strategies.auth import User
from strategies.errors import DomainError
from strategies.models import (
    Dimension,
    Indicator,
    Item,
    Method,
    Organization,
    Strategy,
    Year,
)
from strategies.models.audit import record_change
from strategies.services.years import set_year_status

Status = Year.Status


def copy_year(
    *,
    organization: Organization,
    from_roc_year: int,
    to_roc_year: int,
    user: User | None,
    open_year: bool = False,
) -> Year:
    """Create year `to_roc_year` of the organization as a copy of `from_roc_year`.

    Copied: dimensions and their maxima, strategies, methods, items (titles, host label, host
    units that are still in use, planned actions), indicators (name, measure, target,
    aggregation, decimals) and the deadline day. Not copied: results, shortfall notes, the
    reported actuals, monthly entries, evidence, scores. Retired strategies, methods and items
    stay behind. Every copied item points at its source through `copied_from`.

    The new year is in planning, or open with `open_year`. Raises DomainError, changing nothing,
    when the source is missing or the target already exists.
    """
    if to_roc_year < 1:
        raise DomainError(f"年度必須是正整數（民國年），收到「{to_roc_year}」。")
    if to_roc_year == from_roc_year:
        raise DomainError("複製的來源年度與新年度不能相同。")
    with transaction.atomic():
        source = (
            Year.objects.filter(organization=organization, roc_year=from_roc_year)
            .select_for_update()
            .first()
        )
        if source is None:
            raise DomainError(
                f"{organization.short_name}沒有 {from_roc_year} 年度，無法複製。請確認來源年度。"
            )
        if Year.objects.filter(organization=organization, roc_year=to_roc_year).exists():
            raise DomainError(
                f"{organization.short_name}已有 {to_roc_year} 年度，不會覆寫。"
                f"如需重新複製，請先確認該年度的資料。"
            )
        target = Year(
            organization=organization,
            roc_year=to_roc_year,
            status=Status.PLANNING,
            deadline_day=source.deadline_day,
            copied_from=source,
        )
        target.full_clean()
        _save(target, user, f"複製自 {from_roc_year} 年度")
        _copy_structure(source, target, user)
        if open_year:
            target = set_year_status(
                year=target, status=Status.OPEN, user=user, reason="複製後開放填報"
            )
    return target


def _save(obj: models.Model, user: User | None, reason: str) -> None:
    record_change(obj, user=user, reason=reason)
    obj.save()


def _copy_structure(source: Year, target: Year, user: User | None) -> None:
    dimensions = source.dimensions.prefetch_related(
        "strategies__methods__items__host_units",
        "strategies__methods__items__indicators",
    ).order_by("number")
    reason = f"複製自 {source.roc_year} 年度"
    for dim in dimensions:
        new_dim = Dimension.objects.create(
            year=target, number=dim.number, name=dim.name, max_score=dim.max_score
        )
        strategies = [s for s in dim.strategies.all() if not s.is_retired]
        for s_pos, strategy in enumerate(strategies, start=1):
            new_strategy = Strategy.objects.create(
                dimension=new_dim, order=s_pos, title=strategy.title
            )
            methods = [m for m in strategy.methods.all() if not m.is_retired]
            for m_pos, method in enumerate(methods, start=1):
                new_method = Method.objects.create(
                    strategy=new_strategy,
                    order=m_pos,
                    title=method.title,
                    description=method.description,
                )
                items = [i for i in method.items.all() if not i.is_retired]
                for i_pos, item in enumerate(items, start=1):
                    _copy_item(item, new_method, i_pos, user, reason)


def _copy_item(item: Item, method: Method, order: int, user: User | None, reason: str) -> Item:
    new_item = Item(
        method=method,
        order=order,
        title=item.title,
        host_label=item.host_label,
        planned_actions=item.planned_actions,
        copied_from=item,
    )
    _save(new_item, user, reason)
    new_item.host_units.set([u for u in item.host_units.all() if u.is_active])
    for indicator in item.indicators.all():
        new_indicator = Indicator(
            item=new_item,
            order=indicator.order,
            name=indicator.name,
            measure=indicator.measure,
            target=indicator.target,
            aggregation=indicator.aggregation,
            allows_decimals=indicator.allows_decimals,
        )
        _save(new_indicator, user, reason)
    return new_item

"""Copy a year's plan into a new year: the structure and targets, never the results.

The scoring side (grade bands, an empty score sheet) is copied by `scoring.year_setup`, which
the copy-year command and page call in the same transaction: strategies never imports scoring.
"""

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.db.models import ForeignObjectRel
from django.utils.translation import gettext

from strategies import plan_tree
from strategies.auth import User
from strategies.errors import DomainError
from strategies.models import Organization, Year
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

    Copied: what strategies/plan_tree.py marks as the plan (KEY and PLAN fields): dimensions
    and their maxima, strategies, methods, items (titles, host label, host units that are still
    in use, planned actions), indicators (name, measure, target, aggregation, decimals) and the
    deadline day. Not copied: results, shortfall notes, the reported actuals, monthly entries,
    evidence, scores. Retired strategies, methods and items stay behind. Every copied item
    points at its source through `copied_from`.

    The new year is in planning, or open with `open_year`. Raises DomainError, changing nothing,
    when the source is missing or the target already exists.
    """
    if to_roc_year < 1:
        raise DomainError(
            gettext("年度必須是正整數（民國年），收到「%(year)s」。") % {"year": to_roc_year}
        )
    if to_roc_year == from_roc_year:
        raise DomainError(gettext("複製的來源年度與新年度不能相同。"))
    with transaction.atomic():
        source = (
            Year.objects.filter(organization=organization, roc_year=from_roc_year)
            .select_for_update()
            .first()
        )
        if source is None:
            raise DomainError(
                gettext("%(organization)s沒有 %(year)s 年度，無法複製。請確認來源年度。")
                % {"organization": organization.short_name, "year": from_roc_year}
            )
        if Year.objects.filter(organization=organization, roc_year=to_roc_year).exists():
            raise DomainError(
                gettext(
                    "%(organization)s已有 %(year)s 年度，不會覆寫。如需重新複製，請先確認該年度的資料。"
                )
                % {"organization": organization.short_name, "year": to_roc_year}
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
    reason = f"複製自 {source.roc_year} 年度"
    for level in _copied_children("year"):
        rows = _accessor(level, source).prefetch_related(*_prefetches(level))
        _copy_rows(level, rows.order_by(*level.order), target, user, reason)


def _copied_children(parent: str) -> list[plan_tree.Level]:
    """The levels under `parent` that a copy carries: those with plan fields (structure and
    targets); entries, values and locks have none and stay behind."""
    return [
        level
        for level in plan_tree.TREE
        if level.parent == parent
        and level.scope
        and any(kind == plan_tree.PLAN for kind in level.fields.values())
    ]


def _accessor_name(level: plan_tree.Level) -> str:
    """The name of the parent's manager of this level's rows ("dimensions", "indicators" ...)."""
    assert level.parent_field is not None
    remote = plan_tree.own_field(level.model, level.parent_field).remote_field
    assert isinstance(remote, ForeignObjectRel)
    name = remote.get_accessor_name()
    assert name is not None
    return name


def _accessor(level: plan_tree.Level, parent: models.Model) -> models.Manager[models.Model]:
    """The parent's manager of this level's rows (year.dimensions, item.indicators ...)."""
    manager: models.Manager[models.Model] = getattr(parent, _accessor_name(level))
    return manager


def _prefetches(level: plan_tree.Level, prefix: str = "") -> list[str]:
    """Everything below `level` a copy reads, as prefetch lookups: a few queries per level,
    however many rows."""
    lookups = [f"{prefix}{name}" for name in level.m2m]
    for child in _copied_children(level.name):
        path = f"{prefix}{_accessor_name(child)}"
        lookups += _prefetches(child, f"{path}__") or [path]
    return lookups


def _copy_rows(
    level: plan_tree.Level,
    rows: Iterable[Any],
    parent: models.Model,
    user: User | None,
    reason: str,
) -> None:
    """Copy the level's rows (retired ones left behind, the rest renumbered 1, 2, ...) under
    the new parent, each with its plan fields, its links still in use and its own children."""
    rows = [row for row in rows if not (level.retirable and row.is_retired)]
    key = next(name for name, kind in level.fields.items() if kind == plan_tree.KEY)
    for position, row in enumerate(rows, start=1):
        values = {name: getattr(row, name) for name in level.carried(plan_tree.COPIED)}
        if level.retirable:
            values[key] = position
        assert level.parent_field is not None
        copy = level.model(**values, **{level.parent_field: parent})
        if level.source_link:
            setattr(copy, level.source_link, row)
        _save(copy, user, reason)
        for name, (_kind, carried) in level.m2m.items():
            if carried in plan_tree.COPIED:
                # A unit no longer in use hosts nothing in the new year.
                getattr(copy, name).set(
                    [r for r in getattr(row, name).all() if getattr(r, "is_active", True)]
                )
        for child in _copied_children(level.name):
            _copy_rows(child, _accessor(child, row).all(), copy, user, reason)

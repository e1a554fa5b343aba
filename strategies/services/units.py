"""Units of an organization: add, rename, retire (停用) and restore.

A retired unit is never deleted: its entries, hosted items of past years and history stay, it
just cannot host new items or take new members.
"""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from strategies.auth import User
from strategies.errors import DomainError
from strategies.models import Item, Membership, Organization, Unit, Year


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("請填寫單位名稱。"))
    if len(name) > 50:
        raise DomainError(_("單位名稱最多 50 個字。"))
    return name


def _check_unique(organization: Organization, name: str, exclude: int | None = None) -> None:
    clash = Unit.objects.filter(organization=organization, name=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise DomainError(
            _("%(organization)s已有名為「%(name)s」的單位。")
            % {"organization": organization.short_name, "name": name}
        )


def _save(unit: Unit, user: User, reason: str) -> None:
    unit._history_user = user
    unit._change_reason = reason
    unit.full_clean()
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as error:  # a concurrent add of the same name
        raise DomainError(_("已有名為「%(name)s」的單位。") % {"name": unit.name}) from error


def add_unit(*, organization: Organization, name: str, kind: str, user: User) -> Unit:
    """A new unit at the end of the organization's list."""
    name = _name(name)
    if kind not in Unit.Kind.values:
        raise DomainError(_("請選擇單位類別。"))
    with transaction.atomic():
        _check_unique(organization, name)
        order = (organization.units.aggregate(m=Max("order"))["m"] or 0) + 1
        unit = Unit(organization=organization, name=name, kind=kind, order=order)
        _save(unit, user, "新增單位")
    return unit


def rename_unit(*, unit: Unit, name: str, kind: str | None = None, user: User) -> Unit:
    """Rename a unit. Past reports keep their printed host label (Item.host_label)."""
    name = _name(name)
    with transaction.atomic():
        unit = Unit.objects.select_for_update().get(pk=unit.pk)
        _check_unique(unit.organization, name, exclude=unit.pk)
        old = unit.name
        unit.name = name
        if kind is not None:
            if kind not in Unit.Kind.values:
                raise DomainError(_("請選擇單位類別。"))
            unit.kind = kind
        _save(unit, user, f"更名：{old} → {name}" if old != name else "修改單位")
    return unit


def retire_unit(*, unit: Unit, user: User) -> Unit:
    """Retire a unit that no longer hosts items of a current year and has no staff or head.

    Past years keep the unit as their host; the admin moves current items and people first.
    """
    with transaction.atomic():
        unit = Unit.objects.select_for_update().get(pk=unit.pk)
        current = Item.objects.filter(
            host_units=unit,
            is_retired=False,
            method__strategy__dimension__year__status__in=[Year.Status.PLANNING, Year.Status.OPEN],
        ).count()
        if current:
            raise DomainError(
                _(
                    "「%(unit)s」仍主辦 %(count)s 個規劃中或填報中年度的填報項目，"
                    "請先在年度架構中改派主辦單位，再停用。"
                )
                % {"unit": unit.name, "count": current}
            )
        people = Membership.objects.filter(unit=unit, user__is_active=True).count()
        if people:
            raise DomainError(
                _("「%(unit)s」仍有 %(count)s 位使用中的成員，請先將他們改派其他單位或停用帳號。")
                % {"unit": unit.name, "count": people}
            )
        unit.is_active = False
        _save(unit, user, "停用單位")
    return unit


def restore_unit(*, unit: Unit, user: User) -> Unit:
    with transaction.atomic():
        unit = Unit.objects.select_for_update().get(pk=unit.pk)
        unit.is_active = True
        _save(unit, user, "恢復使用單位")
    return unit

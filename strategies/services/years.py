"""Year status: planning -> open -> closed -> locked, and reopening with a recorded reason."""

from django.db import transaction

from strategies import year_lifecycle
from strategies.auth import User
from strategies.confirm import Confirmation, Precondition
from strategies.errors import DomainError
from strategies.models import Unit, Year
from strategies.services import notifications
from strategies.services.results import check_shortfalls_explained
from strategies.services.year_end import check_year_end_texts_final

Status = Year.Status


def set_year_status(*, year: Year, status: str, user: User | None, reason: str = "") -> Year:
    """Move the year to `status`, recording who and why in its history.

    Reopening a closed or locked year (or reopening planning) requires a reason; closing an
    open year requires an explanation for every item that falls short of its target and every
    item's year-end text approved (or accepted by the admin).
    """
    with transaction.atomic():
        year = Year.objects.select_for_update().get(pk=year.pk)
        current = Status(year.status)
        target = Status(status)
        if target == current:
            return year
        reason = reason.strip()
        try:
            year_lifecycle.check_move(year, current, target, reason)
        except year_lifecycle.TransitionRefused as exc:
            raise DomainError(str(exc)) from None
        if year_lifecycle.closes_entry(current, target):
            # Closing entry: every indicator short of its target must be explained first.
            check_shortfalls_explained(year)
            check_year_end_texts_final(year)
        year.status = target
        year._history_user = user
        year._change_reason = reason or f"{current.label} → {target.label}"
        year.full_clean()
        year.save(update_fields=["status"])
        if year_lifecycle.reopens(current, target):
            notifications.year_reopened(year=year, actor=user, reason=reason)
    return year


def lock_year(*, year: Year, user: User, reason: str = "") -> Year:
    """Lock the year: no entry and no score changes until an admin reopens it."""
    return set_year_status(year=year, status=Status.LOCKED, user=user, reason=reason)


def status_change_confirmation(*, year: Year, status: str, reason: str = "") -> Confirmation:
    """What moving the year to `status` will do, for the confirmation page, with the same
    preconditions `set_year_status` enforces (each listed with whether it holds now)."""
    current = Status(year.status)
    target = Status(status)
    units = Unit.objects.filter(organization=year.organization_id, is_active=True).count()
    label = f"{year.roc_year} 年度"
    consequences: list[str] = []
    if target == Status.CLOSED and current == Status.OPEN:
        consequences.append(
            f"結束 {label}的填報：所有單位（{units} 個）都不能再新增、修改或送出每月填報。"
        )
    elif target == Status.LOCKED:
        consequences.append(
            f"鎖定 {label}：所有單位（{units} 個）的每月填報、分數與等第區間都不能再修改，"
            "直到管理者填寫原因重新開放。"
        )
        consequences.append("鎖定不等於完成複評：正式報告要由考核人員完成複評後才會發布。")
    elif year_lifecycle.reopens(current, target):
        consequences.append(
            f"重新開放 {label}的填報：所有單位（{units} 個）可再修改每月填報與分數。"
        )
        if current == Status.LOCKED:
            consequences.append(
                "已完成的複評會撤銷；已發布的報告各版保留，但下載改為依目前資料產生的草稿，"
                "直到再次完成複評發布新版。"
            )
    elif target == Status.CLOSED and current == Status.LOCKED:
        consequences.append(
            f"解除 {label}的鎖定（維持已結束填報）：分數與等第區間可再修改；"
            "已完成的複評會撤銷，報告各版保留，直到再次完成複評發布新版。"
        )
    elif target == Status.PLANNING:
        consequences.append(f"{label}退回規劃中：各單位暫時看不到本年度的填報。")
    elif target == Status.OPEN:
        consequences.append(f"開放 {label}的填報：各單位開始每月填報。")
    if reason.strip():
        consequences.append(f"原因記錄在年度的異動紀錄：「{reason.strip()}」。")

    preconditions = [
        Precondition(
            f"可由「{current.label}」改為「{target.label}」",
            year_lifecycle.allows(current, target),
        )
    ]
    if year_lifecycle.needs_reason(current, target):
        preconditions.append(Precondition("已填寫原因", bool(reason.strip())))
    if year_lifecycle.closes_entry(current, target):
        try:
            check_shortfalls_explained(year)
        except DomainError as exc:
            preconditions.append(Precondition("未達目標的項目都已說明原因", False, exc.message))
        else:
            preconditions.append(Precondition("未達目標的項目都已說明原因", True))
        try:
            check_year_end_texts_final(year)
        except DomainError as exc:
            preconditions.append(Precondition("各項目的執行績效與成果都已核定", False, exc.message))
        else:
            preconditions.append(Precondition("各項目的執行績效與成果都已核定", True))
    return Confirmation(
        title=f"將 {year.organization.short_name} {label}由「{current.label}」改為「{target.label}」",
        button=f"確認改為「{target.label}」",
        consequences=consequences,
        preconditions=preconditions,
    )

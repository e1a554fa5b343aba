"""Month locks: an admin closes a month for entry and reopens it with a recorded reason.

The reason lives in the lock's history (django-simple-history): reopening deletes the lock with
`_change_reason` set, so who reopened which month, when and why stays on record.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from strategies import access, deadlines
from strategies.auth import User
from strategies.errors import DomainError
from strategies.models import MonthLock, Year
from strategies.services import notifications
from strategies.services.entries import REASON_MAX_LENGTH


def _require_admin(user: User, year: Year) -> None:
    # The year's own admin: headquarters members read a branch but do not run it.
    access.check_year_right(user, year, access.is_year_admin)


def _already_locked(year: Year, month: int) -> str:
    return _("%(year)s 年 %(month)s 月已經鎖定。") % {"year": year.roc_year, "month": month}


def lock_month(*, user: User, year: Year, month: int, reason: str = "") -> MonthLock:
    """Close a month for entry; only an admin can reopen it."""
    _require_admin(user, year)
    try:
        deadlines.check_month(month)
    except ValueError as exc:
        raise DomainError(str(exc)) from None
    with transaction.atomic():
        if MonthLock.objects.filter(year=year, month=month).exists():
            raise DomainError(_already_locked(year, month))
        lock = MonthLock(year=year, month=month, locked_by=user)
        lock._history_user = user
        lock._change_reason = reason.strip() or "鎖定月份"
        lock.full_clean()
        try:
            with transaction.atomic():
                lock.save()
        except IntegrityError:
            raise DomainError(_already_locked(year, month)) from None
    return lock


def reopen_month(*, user: User, year: Year, month: int, reason: str) -> None:
    """Reopen a locked month; the reason is kept in the lock's history."""
    _require_admin(user, year)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("重新開放月份必須填寫原因。"))
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError(_("原因最多 %(max)s 字。") % {"max": REASON_MAX_LENGTH})
    with transaction.atomic():
        lock = MonthLock.objects.select_for_update().filter(year=year, month=month).first()
        if lock is None:
            raise DomainError(
                _("%(year)s 年 %(month)s 月沒有鎖定。") % {"year": year.roc_year, "month": month}
            )
        lock._history_user = user
        lock._change_reason = f"重新開放：{reason}"
        lock.delete()
        notifications.month_reopened(year=year, month=month, actor=user, reason=reason)

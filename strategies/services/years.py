"""Year status: planning -> open -> closed -> locked, and reopening with a recorded reason."""

from django.db import transaction

from strategies.errors import DomainError
from strategies.models import Year
from strategies.services import notifications
from strategies.services.results import check_shortfalls_explained
from strategies.services.year_end import check_year_end_texts_final

Status = Year.Status

# Which status may follow which; reopening (back to open) always needs a reason.
_ALLOWED = {
    Status.PLANNING: {Status.OPEN},
    Status.OPEN: {Status.PLANNING, Status.CLOSED, Status.LOCKED},
    Status.CLOSED: {Status.OPEN, Status.LOCKED},
    Status.LOCKED: {Status.OPEN, Status.CLOSED},
}
_NEEDS_REASON = {
    (Status.OPEN, Status.PLANNING),
    (Status.CLOSED, Status.OPEN),
    (Status.LOCKED, Status.OPEN),
    (Status.LOCKED, Status.CLOSED),
}


def set_year_status(*, year: Year, status: str, user, reason: str = "") -> Year:  # type: ignore[no-untyped-def]
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
        if target not in _ALLOWED[current]:
            raise DomainError(f"{year}目前為「{current.label}」，不能直接改為「{target.label}」。")
        reason = reason.strip()
        if (current, target) in _NEEDS_REASON and not reason:
            raise DomainError(f"將{year}由「{current.label}」改為「{target.label}」必須填寫原因。")
        if current == Status.OPEN and target in {Status.CLOSED, Status.LOCKED}:
            # Closing entry: every indicator short of its target must be explained first.
            check_shortfalls_explained(year)
            check_year_end_texts_final(year)
        year.status = target
        year._history_user = user  # type: ignore[attr-defined]
        year._change_reason = reason or f"{current.label} → {target.label}"  # type: ignore[attr-defined]
        year.full_clean()
        year.save(update_fields=["status"])
        if target == Status.OPEN and current in {Status.CLOSED, Status.LOCKED}:
            notifications.year_reopened(year=year, actor=user, reason=reason)
    return year


def lock_year(*, year: Year, user, reason: str = "") -> Year:  # type: ignore[no-untyped-def]
    """Lock the year: no entry and no score changes until an admin reopens it."""
    return set_year_status(year=year, status=Status.LOCKED, user=user, reason=reason)

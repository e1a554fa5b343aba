"""Creating and reading off notifications. Called explicitly by the services whose event it is,
inside their transaction: the notice exists exactly when the event does (no signals).

Every notice names its event with a key; (recipient, key) is unique, so calling `notify` twice
for the same event (a retried request, a second `send_reminders` run) notifies nobody twice.

The year-end text waiting for a head is one call, inside the service that submits it:

    notifications.results_awaiting(item=item, unit=unit, actor=user, event=f"v{version}")

Any other event: `notify(recipients=..., kind=Notification.Kind.X, key=..., link=..., params=...,
actor=user)`, with a text for the kind in strategies.selectors.notifications.TEXTS.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from strategies import access
from strategies.auth import User
from strategies.models import Item, Membership, MonthLock, MonthlyEntry, Notification, Unit, Year

Kind = Notification.Kind
Role = Membership.Role
TITLE_LENGTH = 60
QUOTE_LENGTH = 200


def display_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def item_params(item: Item) -> dict[str, object]:
    return {"item": str(item.title or item.method.title)[:TITLE_LENGTH]}


def entry_link(entry: MonthlyEntry) -> str:
    return reverse(
        "strategies:entry-edit",
        kwargs={"item_id": entry.item_id, "unit_id": entry.unit_id, "month": entry.month},
    )


def notify(
    *,
    recipients: Iterable[User | None],
    kind: str,
    key: str,
    link: str = "",
    params: Mapping[str, object] | None = None,
    actor: User | None = None,
) -> int:
    """Notify each recipient (not the actor: nobody is told of their own act) once per key.

    Runs in the caller's transaction; returns how many notices are new.
    """
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    key = key[:200]
    users = {u.pk: u for u in recipients if u is not None and u.is_active}
    if actor is not None:
        users.pop(actor.pk, None)
    if not users:
        return 0
    existing = set(
        Notification.objects.filter(recipient_id__in=users, key=key).values_list(
            "recipient_id", flat=True
        )
    )
    new = [
        Notification(recipient_id=pk, kind=kind, key=key, link=link, params=dict(params or {}))
        for pk in users
        if pk not in existing
    ]
    if new:
        # A concurrent call for the same event loses quietly to the unique constraint.
        Notification.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


# --- who is told ----------------------------------------------------------------------------


def heads_of(unit: Unit | int) -> list[User]:
    """Active heads of the unit (one query)."""
    unit_id = unit if isinstance(unit, int) else unit.pk
    return [
        m.user
        for m in Membership.objects.filter(
            access.unit_reviewers(unit_id), user__is_active=True
        ).select_related("user")
    ]


def entry_authors(entry: MonthlyEntry) -> list[User | None]:
    """Who wrote the entry: its creator and whoever last saved it (before the current write)."""
    return [entry.created_by, entry.updated_by]


def members_of_year(year: Year) -> list[User]:
    """Staff and heads of the year's organization, and its admins (one query)."""
    return [
        m.user
        for m in Membership.objects.filter(
            Q(role__in=[Role.STAFF, Role.HEAD, Role.ADMIN]),
            organization_id=year.organization_id,
            user__is_active=True,
        ).select_related("user")
    ]


# --- the entry workflow's events ------------------------------------------------------------


def _entry_params(entry: MonthlyEntry, actor: User | None) -> dict[str, object]:
    return item_params(entry.item) | {
        "month": entry.month,
        "unit": entry.unit.name,
        "who": display_name(actor),
    }


def entry_submitted(*, entry: MonthlyEntry, actor: User, late_days: int = 0) -> int:
    """Tell the unit's heads an entry waits for their approval."""
    return notify(
        recipients=heads_of(entry.unit_id),
        kind=Kind.ENTRY_SUBMITTED,
        key=f"entry:{entry.pk}:submitted:v{entry.version}",
        link=entry_link(entry),
        params=_entry_params(entry, actor) | {"late_days": late_days},
        actor=actor,
    )


def entry_reviewed(
    *,
    entry: MonthlyEntry,
    actor: User,
    authors: Iterable[User | None],
    kind: str,
    reason: str = "",
) -> int:
    """Tell the entry's authors it was returned, approved or reopened (with the reason)."""
    return notify(
        recipients=authors,
        kind=kind,
        key=f"entry:{entry.pk}:{kind}:v{entry.version}",
        link=entry_link(entry),
        params=_entry_params(entry, actor) | {"reason": reason[:QUOTE_LENGTH]},
        actor=actor,
    )


def entry_commented(*, entry: MonthlyEntry, comment_pk: int, actor: User, body: str) -> int:
    """Tell the entry's authors (and the unit's heads, once it is submitted) of a new comment."""
    recipients = entry_authors(entry)
    if entry.status != MonthlyEntry.Status.DRAFT:
        recipients += heads_of(entry.unit_id)
    return notify(
        recipients=recipients,
        kind=Kind.ENTRY_COMMENTED,
        key=f"comment:{comment_pk}",
        link=entry_link(entry) + "#comments",
        params=_entry_params(entry, actor) | {"body": body[:QUOTE_LENGTH]},
        actor=actor,
    )


def results_awaiting(*, item: Item, unit: Unit | int, actor: User | None, event: str) -> int:
    """Tell the host unit's heads the item's year-end text waits for them; `event` names this
    submission (e.g. the text's version), so a retry does not notify twice."""
    unit_id = unit if isinstance(unit, int) else unit.pk
    return notify(
        recipients=heads_of(unit_id),
        kind=Kind.RESULTS_AWAITING,
        key=f"results:{item.pk}:{unit_id}:{event}",
        link=reverse("strategies:item-results", args=[item.pk]),
        params=item_params(item) | {"who": display_name(actor)},
        actor=actor,
    )


def _last_change(model_history: Any, **lookup: object) -> int:
    """The id of the newest history record of an object: names the event just written."""
    return (
        model_history.filter(**lookup)
        .order_by("-history_id")
        .values_list("history_id", flat=True)[0]
    )


def month_reopened(*, year: Year, month: int, actor: User, reason: str) -> int:
    """Tell the organization's members a locked month is open for entry again."""
    event = _last_change(MonthLock.history, year_id=year.pk, month=month)
    return notify(
        recipients=members_of_year(year),
        kind=Kind.MONTH_REOPENED,
        key=f"month-lock:{event}:reopened",
        link=reverse("strategies:my-work"),
        params={"year": year.roc_year, "month": month, "reason": reason[:QUOTE_LENGTH]},
        actor=actor,
    )


def year_reopened(*, year: Year, actor: User | None, reason: str) -> int:
    """Tell the organization's members a closed or locked year is open again."""
    event = _last_change(Year.history, id=year.pk)
    return notify(
        recipients=members_of_year(year),
        kind=Kind.YEAR_REOPENED,
        key=f"year-change:{event}:reopened",
        link=reverse("home") + f"?year={year.pk}",
        params={"year": year.roc_year, "reason": reason[:QUOTE_LENGTH]},
        actor=actor,
    )


def year_signed_off(*, year: Year, actor: User) -> int:
    """Tell the organization's members the review is signed off and the year locked."""
    event = _last_change(Year.history, id=year.pk)
    return notify(
        recipients=members_of_year(year),
        kind=Kind.SIGNED_OFF,
        key=f"year-change:{event}:signed-off",
        link=reverse("reports:index"),
        params={"year": year.roc_year, "who": display_name(actor)},
        actor=actor,
    )


# --- reading them ---------------------------------------------------------------------------


def mark_read(*, user: User, notification: Notification) -> Notification:
    """Mark one of the user's own notices read (the view's lookup already scoped it)."""
    if notification.recipient_id != user.pk:
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )

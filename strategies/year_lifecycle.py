"""The year's lifecycle: one transition table, asked by the services that move a year
(strategies.services.years, scoring's sign-off and reopen) and by the pages that offer the moves.

    planning -> open                     open the year for entry
    open     -> closed | locked          close entry: shortfalls explained, texts final
    closed   -> locked
    open     -> planning*                back to planning
    closed   -> open*                    reopen entry
    locked   -> open* | closed*          reopen (withdraws the sign-off)
    * needs a reason, recorded in the year's history

Pure, no database: allows(Status.OPEN, Status.CLOSED) is True.
"""

from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from strategies.models.plan import Year

Status = Year.Status


class Move(NamedTuple):
    """Templates unpack it: {% for target, button, needs_reason in moves %}."""

    target: Status
    button: str | Promise  # what the admin's years page offers
    needs_reason: bool


# Every move a year may make, in the order the years page offers them.
MOVES: dict[Status, tuple[Move, ...]] = {
    Status.PLANNING: (Move(Status.OPEN, _("開放填報"), False),),
    Status.OPEN: (
        Move(Status.CLOSED, _("結束填報"), False),
        Move(Status.LOCKED, _("鎖定"), False),
        Move(Status.PLANNING, _("重新開放規劃"), True),
    ),
    Status.CLOSED: (
        Move(Status.LOCKED, _("鎖定"), False),
        Move(Status.OPEN, _("重新開放填報"), True),
    ),
    Status.LOCKED: (
        Move(Status.OPEN, _("重新開放填報"), True),
        Move(Status.CLOSED, _("解除鎖定（已結束填報）"), True),
    ),
}

# Closing entry (open -> closed or locked) first needs every shortfall explained and every
# year-end text final.
CLOSES_ENTRY = frozenset({(Status.OPEN, Status.CLOSED), (Status.OPEN, Status.LOCKED)})


class TransitionRefused(ValueError):
    pass


def moves_from(current: str) -> tuple[Move, ...]:
    return MOVES[Status(current)]


def move(current: str, target: str) -> Move | None:
    """The move from `current` to `target`, or None when the table has none."""
    return next((m for m in MOVES[Status(current)] if m.target == target), None)


def allows(current: str, target: str) -> bool:
    return move(current, target) is not None


def needs_reason(current: str, target: str) -> bool:
    found = move(current, target)
    return found is not None and found.needs_reason


def closes_entry(current: str, target: str) -> bool:
    return (Status(current), Status(target)) in CLOSES_ENTRY


def takes_entries(status: str) -> bool:
    """Monthly entries, year-end texts and reminders exist only while the year is open."""
    return Status(status) == Status.OPEN


def reopens(current: str, target: str) -> bool:
    """Back to open from a closed or locked year: the members are told."""
    return Status(target) == Status.OPEN and Status(current) in {Status.CLOSED, Status.LOCKED}


def check_move(year: object, current: str, target: str, reason: str = "") -> Move:
    """The move, or TransitionRefused with the message a person can act on; `year` names the
    year in the message."""
    now, then = Status(current), Status(target)
    found = move(now, then)
    if found is None:
        raise TransitionRefused(
            gettext("%(year)s目前為「%(current)s」，不能直接改為「%(target)s」。")
            % {"year": year, "current": now.label, "target": then.label}
        )
    if found.needs_reason and not reason.strip():
        raise TransitionRefused(
            gettext("將%(year)s由「%(current)s」改為「%(target)s」必須填寫原因。")
            % {"year": year, "current": now.label, "target": then.label}
        )
    return found


# What reopening a signed-off (locked) year may go back to: the locked row of the table.
def reopen_targets() -> tuple[Status, ...]:
    return tuple(m.target for m in MOVES[Status.LOCKED] if m.needs_reason)

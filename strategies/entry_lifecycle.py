"""The monthly entry's lifecycle: one transition table, asked by the entry services that move it
(strategies.services.entries) and by the entry page that offers the moves.

    (none) ──save──> draft ──submit──> submitted ──approve──> approved
                       ^                 │ return                │
                       │                 v                       │
                       └──save/submit── returned <──reopen───────┘
    submitted ──reopen──> returned (the admin sends it back with a reason)

Pure, no database: next_state(Status.SUBMITTED, Action.APPROVE) is Status.APPROVED.
"""

from enum import StrEnum

from django.utils.translation import gettext

from strategies.models.entries import MonthlyEntry
from strategies.month_state import EMPTY

Status = MonthlyEntry.Status

# A month with no entry yet (the strip's "未填", month_state's "empty"): saving creates it.
NEW = EMPTY


class Action(StrEnum):
    SAVE = "save"  # save as a draft; a returned entry stays returned until it is submitted
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    REOPEN = "reopen"


TRANSITIONS: dict[tuple[str, Action], Status] = {
    (NEW, Action.SAVE): Status.DRAFT,
    (Status.DRAFT, Action.SAVE): Status.DRAFT,
    (Status.RETURNED, Action.SAVE): Status.RETURNED,
    (NEW, Action.SUBMIT): Status.SUBMITTED,
    (Status.DRAFT, Action.SUBMIT): Status.SUBMITTED,
    (Status.RETURNED, Action.SUBMIT): Status.SUBMITTED,
    (Status.SUBMITTED, Action.APPROVE): Status.APPROVED,
    (Status.SUBMITTED, Action.RETURN): Status.RETURNED,
    (Status.SUBMITTED, Action.REOPEN): Status.RETURNED,
    (Status.APPROVED, Action.REOPEN): Status.RETURNED,
}

STATES: tuple[str, ...] = (NEW, *Status.values)

# What the unit may still change (content, evidence): the states a save leaves as they are.
EDITABLE = frozenset(state for (state, action) in TRANSITIONS if action == Action.SAVE)


class TransitionRefused(ValueError):
    pass


def _label(state: str) -> str:
    return str(Status(state).label) if state != NEW else gettext("未填")


def _refusal(state: str, action: Action) -> str:
    """Why `action` is refused in `state`, in words a person can act on."""
    status = {"status": _label(state)}
    if action in {Action.SAVE, Action.SUBMIT}:
        if state == Status.SUBMITTED:
            return gettext("這筆填報「%(status)s」，不能再修改；如需更正，請主管退回。") % status
        return gettext("這筆填報「%(status)s」，不能再修改。") % status
    if action in {Action.APPROVE, Action.RETURN}:
        return gettext("這筆填報「%(status)s」，只有已送出的填報可以核定或退回。") % status
    return gettext("這筆填報本來就可以修改，不需要重新開放。")


def allows(current: str, action: Action) -> bool:
    return (current, action) in TRANSITIONS


def next_state(current: str, action: Action) -> Status:
    """The state after `action`, or TransitionRefused with a message a person can act on."""
    try:
        return TRANSITIONS[(current, action)]
    except KeyError:
        raise TransitionRefused(_refusal(current, action)) from None

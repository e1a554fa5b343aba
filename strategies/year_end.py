"""The year-end text's lifecycle (執行績效與成果): one transition table, asked by the services
that move it and by the pages that offer the moves.

    draft ──edit──> edited ──submit──> submitted ──approve──> approved
      ^               │  ^                │ return
      └──take draft───┘  └────────────────┘
    months change: a text nobody edited follows the months (-> draft);
                   an edited, submitted or approved text is kept and marked stale

Pure, no database: next_state(State.DRAFT, Event.SUBMIT) is State.SUBMITTED.
"""

from enum import StrEnum

from strategies.models.plan import Item

State = Item.ResultsState


class Event(StrEnum):
    # The approved months changed and the text was the machine's own draft: it follows them.
    MONTHS_CHANGED_PLAIN = "months_changed_plain"
    # The approved months changed under a text a person wrote or approved: kept, marked stale.
    MONTHS_CHANGED_KEPT = "months_changed_kept"
    EDIT = "edit"
    TAKE_DRAFT = "take_draft"
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN_PLAIN = "return_plain"
    RETURN_EDITED = "return_edited"
    ACCEPT = "accept"


TRANSITIONS: dict[tuple[State, Event], State] = {
    (State.DRAFT, Event.MONTHS_CHANGED_PLAIN): State.DRAFT,
    (State.SUBMITTED, Event.MONTHS_CHANGED_PLAIN): State.DRAFT,
    (State.APPROVED, Event.MONTHS_CHANGED_PLAIN): State.DRAFT,
    (State.ACCEPTED, Event.MONTHS_CHANGED_PLAIN): State.DRAFT,
    (State.EDITED, Event.MONTHS_CHANGED_KEPT): State.STALE,
    (State.STALE, Event.MONTHS_CHANGED_KEPT): State.STALE,
    (State.SUBMITTED, Event.MONTHS_CHANGED_KEPT): State.STALE,
    (State.APPROVED, Event.MONTHS_CHANGED_KEPT): State.STALE,
    (State.ACCEPTED, Event.MONTHS_CHANGED_KEPT): State.STALE,
    (State.IMPORTED, Event.MONTHS_CHANGED_KEPT): State.STALE,
    (State.DRAFT, Event.EDIT): State.EDITED,
    (State.EDITED, Event.EDIT): State.EDITED,
    (State.STALE, Event.EDIT): State.EDITED,
    (State.SUBMITTED, Event.EDIT): State.EDITED,
    (State.APPROVED, Event.EDIT): State.EDITED,
    (State.ACCEPTED, Event.EDIT): State.EDITED,
    (State.IMPORTED, Event.EDIT): State.EDITED,
    (State.EDITED, Event.TAKE_DRAFT): State.DRAFT,
    (State.STALE, Event.TAKE_DRAFT): State.DRAFT,
    (State.IMPORTED, Event.TAKE_DRAFT): State.DRAFT,
    (State.DRAFT, Event.SUBMIT): State.SUBMITTED,
    (State.EDITED, Event.SUBMIT): State.SUBMITTED,
    (State.SUBMITTED, Event.APPROVE): State.APPROVED,
    (State.SUBMITTED, Event.RETURN_PLAIN): State.DRAFT,
    (State.SUBMITTED, Event.RETURN_EDITED): State.EDITED,
    (State.DRAFT, Event.ACCEPT): State.ACCEPTED,
    (State.EDITED, Event.ACCEPT): State.ACCEPTED,
    (State.STALE, Event.ACCEPT): State.ACCEPTED,
    (State.SUBMITTED, Event.ACCEPT): State.ACCEPTED,
}

# What closing the year accepts: approved by a head, accepted by the admin with a reason, or
# carried over verbatim from an imported report.
FINAL = frozenset({State.APPROVED, State.ACCEPTED, State.IMPORTED})

# Why a move is refused, in words a person can act on.
_REFUSALS = {
    Event.SUBMIT: {
        State.STALE: "月填報在您修改後又有變動，請先確認差異（修改或採用新草稿）再送出。",
        State.SUBMITTED: "執行績效與成果已送出，等待主管核定。",
        State.APPROVED: "執行績效與成果已核定，不需要再送出。",
    },
    Event.APPROVE: {
        State.STALE: "月填報在送出後又有變動，請承辦人確認差異後再送出。",
    },
}


class TransitionRefused(ValueError):
    pass


def next_state(current: str, event: Event) -> State:
    """The state after `event`, or TransitionRefused with a message a person can act on."""
    state = State(current)
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        message = _REFUSALS.get(event, {}).get(state)
        if message is None:
            message = f"執行績效與成果目前為「{state.label}」，不能{_VERBS[event]}。"
        raise TransitionRefused(message) from None


def allows(current: str, event: Event) -> bool:
    return (State(current), event) in TRANSITIONS


_VERBS = {
    Event.MONTHS_CHANGED_PLAIN: "依月填報更新",
    Event.MONTHS_CHANGED_KEPT: "依月填報更新",
    Event.EDIT: "修改",
    Event.TAKE_DRAFT: "採用新草稿",
    Event.SUBMIT: "送出核定",
    Event.APPROVE: "核定",
    Event.RETURN_PLAIN: "退回",
    Event.RETURN_EDITED: "退回",
    Event.ACCEPT: "由管理者接受",
}

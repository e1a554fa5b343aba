"""An item's audit trail, read from django-simple-history: every version of every monthly entry,
indicator value and evidence file, and the review comments; and what changed between an
entry's last two submissions (what the head sees before approving). Fixed query counts.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from strategies import access, number_format
from strategies.auth import User
from strategies.models import (
    EntryComment,
    Evidence,
    Indicator,
    IndicatorValue,
    Item,
    Membership,
    MonthlyEntry,
)

Status = MonthlyEntry.Status


@dataclass
class Change:
    label: str
    old: str
    new: str


def changes_since_last_submission(
    entry: MonthlyEntry, indicators: Iterable[Indicator]
) -> list[Change] | None:
    """What changed between the previous submission and this one (2 queries).

    None when this is the first submission (nothing to compare with).
    """
    records = list(entry.history.order_by("history_date", "history_id"))
    # A submission is a record that moved the entry into "submitted"; it holds what was sent.
    starts = [
        i
        for i, r in enumerate(records)
        if r.status == Status.SUBMITTED and (i == 0 or records[i - 1].status != Status.SUBMITTED)
    ]
    if len(starts) < 2:
        return None
    previous_state = records[starts[-2]]
    # Values and files of a save are written just after the entry's own record, so the cut-off
    # is the next change of the entry (the return), not the submission record itself.
    then = records[starts[-2] + 1].history_date
    changes = []
    if previous_state.narrative != entry.narrative:
        changes.append(Change(str(_("執行情形")), previous_state.narrative, entry.narrative))
    old_values: dict[int, Decimal | None] = {}
    for record in IndicatorValue.history.filter(entry_id=entry.pk).order_by(
        "history_date", "history_id"
    ):
        if record.history_date <= then:
            old_values[record.indicator_id] = None if record.history_type == "-" else record.value
    new_values = {v.indicator_id: v.value for v in entry.values.all()}
    for indicator in indicators:
        old, new = old_values.get(indicator.pk), new_values.get(indicator.pk)
        if old != new:
            changes.append(
                Change(
                    f"{indicator.name}（{indicator.measure}）",
                    number_format.plain(old),
                    number_format.plain(new),
                )
            )
    added = [e.original_name for e in entry.evidence.all() if e.uploaded_at > then]
    if added:
        changes.append(Change(str(_("佐證資料")), "", "、".join(added)))
    return changes


@dataclass
class HistoryEvent:
    when: dt.datetime
    who: str
    kind: str
    unit: str
    month: int | None
    action: str
    changes: list[Change] = field(default_factory=list)
    reason: str = ""
    order: int = 0


def _who(user: User | None) -> str:
    if user is None:
        return str(_("系統"))
    return user.get_full_name() or user.get_username()


_ACTIONS = {"+": _("新增"), "~": _("修改"), "-": _("刪除")}
_ENTRY_FIELDS = [
    ("narrative", _("執行情形")),
    ("status", _("狀態")),
    ("return_reason", _("退回原因")),
]
_STATUS_LABELS = dict(Status.choices)


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return number_format.plain(value)
    return str(value)


def item_history(item: Item, *, membership: Membership | None) -> list[HistoryEvent]:
    """Every version of every entry, indicator value and evidence file of the item, and the
    review comments, newest first: who, when, old -> new, and the reason given (4 queries, and
    the item's host units when they are not prefetched).

    Only the entries the member may open (`access.can_view_entry`, the entry page's own rule)
    are shown: staff of one host unit never see another unit's narratives, values, files,
    comments or return reasons here."""
    may_read = access.entry_reader(membership, item)
    events: list[HistoryEvent] = []
    entry_records = [
        record
        for record in MonthlyEntry.history.filter(item_id=item.pk)
        .select_related("history_user", "unit")
        .order_by("history_date", "history_id")
        if may_read(record.unit)
    ]
    months: dict[int, tuple[str, int]] = {}
    last: dict[int, object] = {}
    for record in entry_records:
        months[record.id] = (record.unit.name if record.unit else "", record.month)
        previous = last.get(record.id)
        changes = []
        for name, label in _ENTRY_FIELDS:
            new = getattr(record, name)
            old = getattr(previous, name) if previous is not None else ""
            if old != new and (previous is not None or new):
                if name == "status":
                    old, new = _STATUS_LABELS.get(old, old), _STATUS_LABELS.get(new, new)
                changes.append(Change(str(label), _fmt(old), _fmt(new)))
        last[record.id] = record
        events.append(
            HistoryEvent(
                when=record.history_date,
                who=_who(record.history_user),
                kind=str(_("月填報")),
                unit=months[record.id][0],
                month=record.month,
                action=str(_ACTIONS[record.history_type]),
                changes=changes,
                reason=record.history_change_reason or "",
                order=record.history_id,
            )
        )

    value_records = (
        IndicatorValue.history.filter(entry__item_id=item.pk)
        .select_related("history_user", "indicator")
        .order_by("history_date", "history_id")
    )
    last_value: dict[int, Decimal | None] = {}
    for record in value_records:
        if record.entry_id not in months:  # an entry the member may not open
            continue
        unit, month = months[record.entry_id]
        old = last_value.get(record.id)
        new = None if record.history_type == "-" else record.value
        last_value[record.id] = new
        value_label = (
            f"{record.indicator.name}（{record.indicator.measure}）" if record.indicator else ""
        )
        events.append(
            HistoryEvent(
                when=record.history_date,
                who=_who(record.history_user),
                kind=str(_("指標數值")),
                unit=unit,
                month=month,
                action=str(_ACTIONS[record.history_type]),
                changes=[Change(value_label, _fmt(old), _fmt(new))],
                reason=record.history_change_reason or "",
                order=record.history_id,
            )
        )

    for record in (
        Evidence.history.filter(entry__item_id=item.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    ):
        if record.entry_id not in months:
            continue
        unit, month = months[record.entry_id]
        events.append(
            HistoryEvent(
                when=record.history_date,
                who=_who(record.history_user),
                kind=str(_("佐證資料")),
                unit=unit,
                month=month,
                action=str(_ACTIONS[record.history_type]),
                changes=[Change(str(_("檔案")), "", record.original_name)]
                if record.history_type != "-"
                else [Change(str(_("檔案")), record.original_name, "")],
                reason=record.history_change_reason or "",
                order=record.history_id,
            )
        )

    for comment in EntryComment.objects.filter(entry__item_id=item.pk).select_related(
        "author", "entry__unit"
    ):
        if not may_read(comment.entry.unit):
            continue
        events.append(
            HistoryEvent(
                when=comment.created_at,
                who=_who(comment.author),
                kind=str(_("審核意見")),
                unit=comment.entry.unit.name,
                month=comment.entry.month,
                action=str(_("留言")),
                changes=[Change(str(_("內容")), "", comment.body)],
                order=comment.pk,
            )
        )
    events.sort(key=lambda e: (e.when, e.order), reverse=True)
    return events

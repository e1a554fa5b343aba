"""The monthly entry workflow: save a draft, submit, approve, return, reopen, comment, evidence.

Approving, returning or reopening a month also brings the item's year-end draft up to date in
the same transaction (strategies.services.year_end.refresh_draft).

Month locks are in strategies.services.month_locks, file storage in strategies.services.evidence.

Every write runs in one transaction, checks who may do it (404 for another organization, 403
for a member without the right), refuses a closed or locked year, a locked month or a month not
yet open, and records who did what and why in the entry's history (django-simple-history).

No lost updates: a write names the version of the entry it started from. Saving reads the entry
with its row lock (`SELECT ... FOR UPDATE`) and compares versions; approving, returning and
reopening claim the version with a compare-and-set UPDATE (`... WHERE pk = %s AND version = %s`),
which on PostgreSQL also takes the row lock. Either way, of two concurrent writes from the same
version exactly one wins and the other gets StaleVersionError carrying what the winner saved.
Nothing is overwritten.
"""

import datetime as dt
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from strategies import access, deadlines, entry_lifecycle, number_format, year_lifecycle
from strategies.auth import User
from strategies.errors import DomainError, StaleVersionError
from strategies.models import (
    NARRATIVE_MAX_LENGTH,
    EntryComment,
    Evidence,
    Indicator,
    IndicatorValue,
    Item,
    MonthLock,
    MonthlyEntry,
    Unit,
    Year,
)
from strategies.roc import roc_datetime
from strategies.services import notifications
from strategies.services.evidence import check_files, removed_on_rollback, store_evidence
from strategies.services.year_end import refresh_draft

Status = MonthlyEntry.Status
PEOPLE = ["created_by", "updated_by", "submitted_by", "approved_by"]
PLACE = ["item", "unit", "month"]
OUTLIER_FACTOR = Decimal(5)
COMMENT_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 2000
_MAX_VALUE = Decimal("9999999999.99")


@dataclass(frozen=True)
class Outlier:
    indicator: Indicator
    value: Decimal
    median: Decimal


class OutlierNeedsConfirmation(DomainError):
    """A value far above the usual months: asked, not refused. Save again with confirmation."""

    def __init__(self, message: str, outliers: list[Outlier]) -> None:
        super().__init__(message)
        self.outliers = outliers


# --- guards ---------------------------------------------------------------------------------


def _next(current: str, action: entry_lifecycle.Action) -> str:
    """The entry's next status by the transition table, or the table's refusal."""
    try:
        return entry_lifecycle.next_state(current, action)
    except entry_lifecycle.TransitionRefused as exc:
        raise DomainError(str(exc)) from None


# --- guards ---------------------------------------------------------------------------------


def _year_of(item: Item) -> Year:
    # Fresh from the database: a year closed a second ago must refuse the write.
    return Year.objects.select_related("organization").get(
        pk=item.method.strategy.dimension.year_id
    )


def _year_and_lock_of(item: Item, month: int) -> tuple[Year, bool]:
    """The item's year fresh from the database, and whether `month` of it is locked (one
    query: a year closed or a month locked a second ago must refuse the write)."""
    year = (
        Year.objects.select_related("organization")
        .annotate(month_locked=Exists(MonthLock.objects.filter(year=OuterRef("pk"), month=month)))
        .get(pk=item.method.strategy.dimension.year_id)
    )
    return year, bool(year.month_locked)


def check_month_writable(
    *, year: Year, month: int, today: dt.date | None = None, locked: bool | None = None
) -> None:
    """Raise DomainError unless entries of this month of the year may be written now.
    `locked`: whether the month is locked, when already read with the year."""
    try:
        deadlines.check_month(month)
    except ValueError as exc:
        raise DomainError(str(exc)) from None
    if not year_lifecycle.takes_entries(year.status):
        raise DomainError(
            _("%(year)s 年度目前為「%(status)s」，不能再修改填報；如需更正，請洽管理者重新開放。")
            % {"year": year.roc_year, "status": year.get_status_display()}
        )
    if locked is None:
        locked = MonthLock.objects.filter(year=year, month=month).exists()
    if locked:
        raise DomainError(
            _("%(year)s 年 %(month)s 月已鎖定，不能再修改填報；如需更正，請洽管理者重新開放。")
            % {"year": year.roc_year, "month": month}
        )
    today = today or deadlines.today_in_taipei()
    if not deadlines.is_open(year.roc_year, month, today):
        opens = deadlines.opens_on(year.roc_year, month)
        raise DomainError(
            _("%(year)s 年 %(month)s 月尚未開放填報（%(open_month)s 月 %(open_day)s 日起）。")
            % {
                "year": year.roc_year,
                "month": month,
                "open_month": opens.month,
                "open_day": opens.day,
            }
        )


def _claim_version(entry_pk: int, version: int) -> MonthlyEntry:
    """Compare-and-set the version; return the row (locked on PostgreSQL) or raise stale."""
    claimed = MonthlyEntry.objects.filter(pk=entry_pk, version=version).update(
        version=F("version") + 1
    )
    if claimed != 1:
        raise _stale(entry_pk)
    return MonthlyEntry.objects.select_related("item", "unit", "updated_by").get(pk=entry_pk)


def _stale(entry_pk: int) -> StaleVersionError:
    current = (
        MonthlyEntry.objects.select_related("updated_by")
        .prefetch_related("values__indicator")
        .get(pk=entry_pk)
    )
    who = _("其他人")
    if current.updated_by is not None:
        who = current.updated_by.get_full_name() or current.updated_by.get_username()
    when = roc_datetime(current.updated_at)
    values = "、".join(
        f"{v.indicator.name} {number_format.plain(v.value)} {v.indicator.measure}"
        for v in current.values.all()
    )
    message = (
        _(
            "%(who)s 已於 %(when)s 儲存這筆填報（目前為第 %(version)s 版，狀態「%(status)s」），"
            "您的修改沒有存入，也沒有覆蓋對方的內容。對方儲存的執行情形：「%(narrative)s」"
        )
        % {
            "who": who,
            "when": when,
            "version": current.version,
            "status": current.get_status_display(),
            "narrative": current.narrative[:200] or _("（空白）"),
        }
        + (_("；指標：%(values)s") % {"values": values} if values else "")
        + _("。請重新載入後再修改。")
    )
    return StaleVersionError(message, current=current)


# --- values ---------------------------------------------------------------------------------


def _not_a_number(indicator: Indicator, raw: object) -> str:
    return _("「%(name)s」請填數字，收到「%(raw)s」。") % {"name": indicator.name, "raw": raw}


def clean_values(
    indicators: Sequence[Indicator], values: Mapping[int, object]
) -> dict[int, Decimal | None]:
    """Values per indicator pk, checked: non-negative, whole unless decimals are allowed."""
    by_pk = {ind.pk: ind for ind in indicators}
    unknown = set(values) - set(by_pk)
    if unknown:
        raise DomainError(_("表單含有不屬於這個項目的指標，請重新載入頁面。"))
    cleaned: dict[int, Decimal | None] = {}
    for pk, indicator in by_pk.items():
        raw = values.get(pk)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            cleaned[pk] = None
            continue
        try:
            value = Decimal(str(raw).strip().replace(",", ""))
        except InvalidOperation:
            raise DomainError(_not_a_number(indicator, raw)) from None
        if not value.is_finite():
            raise DomainError(_not_a_number(indicator, raw))
        if value < 0:
            raise DomainError(_("「%(name)s」不能是負數。") % {"name": indicator.name})
        if value > _MAX_VALUE:
            raise DomainError(_("「%(name)s」的數值太大。") % {"name": indicator.name})
        if not indicator.allows_decimals and value != value.to_integral_value():
            raise DomainError(
                _("「%(name)s」請填整數（%(measure)s）。")
                % {"name": indicator.name, "measure": indicator.measure}
            )
        if value != value.quantize(Decimal("0.01")):
            raise DomainError(_("「%(name)s」最多填到小數點後兩位。") % {"name": indicator.name})
        cleaned[pk] = value
    return cleaned


def find_outliers(
    *, item: Item, unit: Unit, month: int, values: Mapping[int, Decimal | None]
) -> list[Outlier]:
    """Values over 5x the median of the unit's earlier months of the same indicator (1 query)."""
    earlier: dict[int, list[Decimal]] = {}
    rows = IndicatorValue.objects.filter(
        indicator__item=item, entry__unit=unit, entry__month__lt=month
    ).values_list("indicator_id", "value")
    for indicator_id, earlier_value in rows:
        earlier.setdefault(indicator_id, []).append(earlier_value)
    outliers = []
    for indicator in item.indicators.all():
        value = values.get(indicator.pk)
        history = earlier.get(indicator.pk)
        if value is None or not history:
            continue
        median = Decimal(statistics.median(history))
        if median > 0 and value > OUTLIER_FACTOR * median:
            outliers.append(Outlier(indicator=indicator, value=value, median=median))
    return outliers


def _write_values(
    *, user: User, entry: MonthlyEntry, values: Mapping[int, Decimal | None], new: bool = False
) -> None:
    """The entry's values as given (`new`: the entry was just created, so it has none)."""
    existing = {} if new else {v.indicator_id: v for v in entry.values.all()}
    for indicator_id, value in values.items():
        current = existing.get(indicator_id)
        if value is None:
            if current is not None:
                current._history_user = user
                current._change_reason = "清除數值"
                current.delete()
            continue
        if current is None:
            current = IndicatorValue(entry=entry, indicator_id=indicator_id, value=value)
        elif current.value == value:
            continue
        current.value = value
        current._history_user = user
        # The field's own checks; the entry and indicator are the rows at hand, and the value
        # was checked by clean_values (the database's constraints still hold both).
        current.full_clean(exclude=["entry", "indicator"], validate_constraints=False)
        current.save()


# --- save and submit ------------------------------------------------------------------------


def save_entry(
    *,
    user: User,
    item: Item,
    unit: Unit,
    month: int,
    version: int,
    narrative: str,
    values: Mapping[int, object],
    submit: bool = False,
    confirm_outliers: bool = False,
    files: Sequence[UploadedFile[bytes]] = (),
    remove_evidence: Sequence[int] = (),
    today: dt.date | None = None,
) -> MonthlyEntry:
    """Save the unit's entry for the item and month as a draft, or submit it for approval.

    `version` is the entry's version the form was built from (0 when there was no entry yet).
    Raises StaleVersionError when someone saved in between, OutlierNeedsConfirmation when a value
    is over 5x the usual and not confirmed, DomainError for anything else a person can fix.
    """
    access.check_entry_access(user, item, unit, write=True)
    narrative = (narrative or "").strip().replace("\r\n", "\n")
    action = entry_lifecycle.Action.SUBMIT if submit else entry_lifecycle.Action.SAVE
    with removed_on_rollback() as written, transaction.atomic():
        year, locked = _year_and_lock_of(item, month)
        check_month_writable(year=year, month=month, today=today, locked=locked)
        if len(narrative) > NARRATIVE_MAX_LENGTH:
            raise DomainError(
                _("執行情形最多 %(max)s 字，目前 %(length)s 字，請精簡後再儲存。")
                % {"max": NARRATIVE_MAX_LENGTH, "length": len(narrative)}
            )
        if submit and not narrative:
            raise DomainError(_("送出前請填寫執行情形。"))
        indicators = list(item.indicators.all())
        cleaned = clean_values(indicators, values)
        check_files(files)
        if not confirm_outliers:
            outliers = find_outliers(item=item, unit=unit, month=month, values=cleaned)
            if outliers:
                detail = "、".join(
                    _("%(name)s %(value)s（先前各月中位數 %(median)s）")
                    % {
                        "name": o.indicator.name,
                        "value": number_format.plain(o.value),
                        "median": number_format.plain(o.median),
                    }
                    for o in outliers
                )
                raise OutlierNeedsConfirmation(
                    _(
                        "下列數值超過先前各月中位數的 5 倍：%(detail)s。"
                        "請確認數值正確後勾選確認再儲存。"
                    )
                    % {"detail": detail},
                    outliers,
                )

        # Locked until the transaction ends (PostgreSQL): a concurrent save of the same entry
        # waits here and then reads the version this one wrote.
        # Ordered by pk, not by the model's plan order: no joins, so only this row is locked.
        existing = (
            MonthlyEntry.objects.select_for_update()
            .filter(item=item, unit=unit, month=month)
            .order_by("pk")
            .first()
        )
        if existing is None:
            if version != 0:
                raise DomainError(_("這筆填報已不存在，請重新載入頁面。"))
            entry = MonthlyEntry(item=item, unit=unit, month=month, created_by=user, version=1)
            previous_status = None
        else:
            if existing.version != version:
                raise _stale(existing.pk)
            entry = existing
            entry.version += 1
            entry.item, entry.unit = item, unit  # the rows at hand, with their plan path
            previous_status = entry.status
        entry.status = _next(previous_status or entry_lifecycle.NEW, action)

        entry.narrative = narrative
        entry.updated_by = user
        late = 0
        if submit:
            entry.submitted_at = timezone.now()
            entry.submitted_by = user
            reason = "送出" if previous_status != Status.RETURNED else "修正後再送出"
            late = deadlines.days_late(
                deadlines.due_on(year.roc_year, month, year.deadline_day),
                today or deadlines.today_in_taipei(),
            )
            if late:
                reason = f"逾期送出（逾期 {late} 天）：{reason}"
        else:
            reason = "新增草稿" if previous_status is None else "儲存草稿"
        entry._history_user = user
        entry._change_reason = reason
        try:
            # The people named on the entry are the signed-in user, its item and unit the rows
            # at hand and its month was checked above: no query to look any of them up. The
            # database keeps (item, unit, month) unique: see the IntegrityError below.
            entry.full_clean(exclude=[*PEOPLE, *PLACE], validate_constraints=False)
        except ValidationError as exc:
            raise DomainError("；".join(exc.messages)) from None
        if existing is None:
            try:
                with transaction.atomic():
                    entry.save()
            except IntegrityError:
                # Another person created this month's entry a moment ago.
                raise _stale(
                    MonthlyEntry.objects.get(item=item, unit=unit, month=month).pk
                ) from None
        else:
            entry.save()  # the locked row, keeping its item, unit and month
        _write_values(user=user, entry=entry, values=cleaned, new=existing is None)
        _remove_evidence(user=user, entry=entry, evidence_ids=remove_evidence)
        store_evidence(user=user, entry=entry, files=files, written=written)
        if submit:
            notifications.entry_submitted(entry=entry, actor=user, late_days=late)
    return entry


def _remove_evidence(*, user: User, entry: MonthlyEntry, evidence_ids: Sequence[int]) -> None:
    """Detach files from the entry. The record's deletion is kept in history and the stored
    file stays on disk, so what was once submitted can still be traced."""
    if not evidence_ids:
        return
    wanted = set(evidence_ids)
    found = list(Evidence.objects.filter(entry=entry, pk__in=wanted))
    if len(found) != len(wanted):
        raise DomainError(_("要移除的佐證資料不屬於這筆填報，請重新載入頁面。"))
    for item in found:
        item._history_user = user
        item._change_reason = "移除佐證資料"
        item.delete()


# --- review ---------------------------------------------------------------------------------


FOUR_EYES_MESSAGE = gettext_lazy(
    "這筆填報是您送出的，不能由您自己核定或退回；請由單位另一位主管，或機關管理者代理核定。"
)


def _reviewable(
    user: User, entry: MonthlyEntry, version: int, action: entry_lifecycle.Action
) -> tuple[MonthlyEntry, bool, str]:
    """The claimed entry and whether the reviewer acts as the admin's deputy.

    Four-eyes, checked on the row as claimed (so a resubmission a moment ago counts): the
    person who last submitted the entry may not approve or return it.
    """
    membership = access.get_year_for_user(user, _year_of(entry.item))
    if not access.is_reviewer_of(membership, entry):
        raise PermissionDenied
    check_month_writable(year=_year_of(entry.item), month=entry.month)
    claimed = _claim_version(entry.pk, version)
    status = _next(claimed.status, action)
    if not access.can_review_entry(membership, claimed):
        raise DomainError(str(FOUR_EYES_MESSAGE))
    return claimed, access.reviews_as_deputy(membership, claimed), status


def _record_move(
    *,
    user: User,
    entry: MonthlyEntry,
    authors: list[User | None],
    why: str,
    kind: str,
    reason: str = "",
) -> MonthlyEntry:
    """The common end of approve, return and reopen (inside their transaction): the claimed
    entry, its new status already set, saved with who and why in its history; the item's
    year-end draft rewritten and the authors notified."""
    entry.updated_by = user
    entry._history_user = user
    entry._change_reason = why
    entry.full_clean()
    entry.save()
    refresh_draft(item=entry.item, user=user)
    notifications.entry_reviewed(entry=entry, actor=user, authors=authors, kind=kind, reason=reason)
    return entry


def approve_entry(*, user: User, entry: MonthlyEntry, version: int) -> MonthlyEntry:
    """A unit head (not the one who submitted it), or the organization's admin as deputy,
    approves a submitted entry; it becomes read-only. Who approved, and whether as deputy, is
    kept on the entry and in its history."""
    with transaction.atomic():
        entry, as_deputy, status = _reviewable(user, entry, version, entry_lifecycle.Action.APPROVE)
        authors = notifications.entry_authors(entry)
        entry.status = status
        entry.approved_at = timezone.now()
        entry.approved_by = user
        entry.approved_as_deputy = as_deputy
        why = "管理者代理核定" if as_deputy else "核定"
        return _record_move(
            user=user, entry=entry, authors=authors, why=why, kind=notifications.Kind.ENTRY_APPROVED
        )


def return_entry(*, user: User, entry: MonthlyEntry, version: int, reason: str) -> MonthlyEntry:
    """A unit head (not the one who submitted it), or the organization's admin as deputy,
    returns a submitted entry with a reason the staff will see."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("退回時請寫明原因，讓承辦人知道要修正什麼。"))
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError(_("退回原因最多 %(max)s 字。") % {"max": REASON_MAX_LENGTH})
    with transaction.atomic():
        entry, as_deputy, status = _reviewable(user, entry, version, entry_lifecycle.Action.RETURN)
        authors = notifications.entry_authors(entry)
        entry.status = status
        entry.return_reason = reason
        return _record_move(
            user=user,
            entry=entry,
            authors=authors,
            why=f"{'管理者代理退回' if as_deputy else '退回'}：{reason}",
            kind=notifications.Kind.ENTRY_RETURNED,
            reason=reason,
        )


def reopen_entry(*, user: User, entry: MonthlyEntry, version: int, reason: str) -> MonthlyEntry:
    """An admin sends an approved or submitted entry back to the unit, with a recorded reason."""
    reason = (reason or "").strip()
    year = _year_of(entry.item)
    # The branch's own admin: headquarters members read a branch but do not run it.
    access.check_year_right(user, year, access.is_year_admin)
    if not reason:
        raise DomainError(_("重新開放填報必須填寫原因。"))
    with transaction.atomic():
        check_month_writable(year=_year_of(entry.item), month=entry.month)
        entry = _claim_version(entry.pk, version)
        status = _next(entry.status, entry_lifecycle.Action.REOPEN)
        authors = notifications.entry_authors(entry)
        entry.status = status
        entry.return_reason = reason
        return _record_move(
            user=user,
            entry=entry,
            authors=authors,
            why=f"管理者重新開放：{reason}",
            kind=notifications.Kind.ENTRY_REOPENED,
            reason=reason,
        )


def add_comment(*, user: User, entry: MonthlyEntry, body: str) -> EntryComment:
    """Anyone who may see the entry may add to its thread (a short note, not an edit);
    headquarters members only where the branch allows it."""
    access.check_comment_access(user, entry.item, entry.unit)
    body = (body or "").strip()
    if not body:
        raise DomainError(_("請輸入意見內容。"))
    if len(body) > COMMENT_MAX_LENGTH:
        raise DomainError(_("意見最多 %(max)s 字。") % {"max": COMMENT_MAX_LENGTH})
    with transaction.atomic():
        comment = EntryComment(entry=entry, author=user, body=body)
        comment.full_clean()
        comment.save()
        notifications.entry_commented(entry=entry, comment_pk=comment.pk, actor=user, body=body)
    return comment

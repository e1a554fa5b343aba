"""The year-end text (執行績效與成果) of an item: kept current from the approved months, edited
by the host units, approved by a head, required before the year closes.

Every move goes through the transition table in strategies.year_end and runs in one
transaction, recording who and why in the item's history. The text follows the months by
itself (`refresh_draft`, called by the entry services in the transaction that approves,
returns or reopens a month) until a person edits it; from then on a change of the months
marks it stale, with the difference shown, and never overwrites it.

Four eyes: the person who last edited or submitted the text cannot approve it.
"""

import difflib
import re
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from strategies import access, year_lifecycle
from strategies.auth import User
from strategies.errors import DomainError
from strategies.models import Item, Membership, MonthlyEntry, Year
from strategies.services import notifications
from strategies.services.results import RESULTS_MAX_LENGTH, compile_item
from strategies.year_end import FINAL, Event, State, TransitionRefused, next_state

REASON_MAX_LENGTH = 2000


# --- internals --------------------------------------------------------------------------------


def _year_of(item: Item) -> Year:
    return Year.objects.select_related("organization").get(
        pk=item.method.strategy.dimension.year_id
    )


def _locked(item: Item) -> Item:
    return (
        Item.objects.select_for_update()
        .select_related("method__strategy__dimension")
        .prefetch_related("host_units")
        .get(pk=item.pk)
    )


def _move(item: Item, event: Event) -> None:
    try:
        item.results_state = next_state(item.results_state, event)
    except TransitionRefused as exc:
        raise DomainError(str(exc)) from None


def _save(item: Item, *, user: User, reason: str) -> Item:
    item._history_user = user
    item._change_reason = reason
    item.full_clean()
    item.save()
    return item


def _checked(
    user: User, item: Item, allowed: Callable[[Membership, Item, Year], bool]
) -> tuple[Item, Year]:
    """The item locked for update, after `allowed(membership, item, year)` said yes."""
    year = _year_of(item)
    membership = access.get_year_for_user(user, year)
    if not year_lifecycle.takes_entries(year.status):
        raise DomainError(
            _("%(year)s 年度目前為「%(status)s」，執行績效與成果不能再修改。")
            % {"year": year.roc_year, "status": year.get_status_display()}
        )
    item = _locked(item)
    if not allowed(membership, item, year):
        raise PermissionDenied
    return item, year


def _clean_reason(reason: str, *, required: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(required)
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError(_("原因最多 %(max)s 字。") % {"max": REASON_MAX_LENGTH})
    return reason


# --- the months move the draft -----------------------------------------------------------------


def refresh_draft(*, item: Item, user: User) -> Item:
    """Bring the item's draft up to date with its approved months. Called by the entry services
    inside the transaction that approves, returns or reopens a month, so the report never shows
    a text older than the months. A text nobody edited follows the draft; a text a person
    wrote or approved is kept and marked stale. Nothing happens when the draft is unchanged."""
    item = _locked(item)
    draft = compile_item(item).text
    if draft == item.results_draft:
        return item
    state = State(item.results_state)
    plain = state == State.DRAFT or (
        state in {State.SUBMITTED, State.APPROVED, State.ACCEPTED}
        and item.results == item.results_draft
    )
    if plain:
        _move(item, Event.MONTHS_CHANGED_PLAIN)
        item.results = draft
        item.results_base = draft
        reason = "依核定的月填報更新草稿"
    else:
        _move(item, Event.MONTHS_CHANGED_KEPT)
        reason = "月填報有變動，保留已修改的文字並標示待更新"
    if state != item.results_state:
        item.results_approved_by = None
        item.results_approved_at = None
    item.results_draft = draft
    return _save(item, user=user, reason=reason)


# --- people move the text ----------------------------------------------------------------------


def edit_text(
    *,
    user: User,
    item: Item,
    results: str,
    shortfall_note: str = "",
    reason: str = "",
) -> Item:
    """A host unit edits the year-end text (and the shortfall explanation). Saving a stale text,
    changed or not, confirms it against the months as they are now."""
    results = (results or "").strip().replace("\r\n", "\n")
    shortfall_note = (shortfall_note or "").strip().replace("\r\n", "\n")
    if len(results) > RESULTS_MAX_LENGTH:
        raise DomainError(_("執行績效與成果最多 %(max)s 字。") % {"max": RESULTS_MAX_LENGTH})
    with transaction.atomic():
        item, _year = _checked(user, item, access.can_edit_results)
        text_changed = item.results != results or item.results_state == State.STALE
        if not text_changed and item.shortfall_note == shortfall_note:
            return item
        if text_changed:
            _move(item, Event.EDIT)
            item.results = results
            item.results_base = item.results_draft
            item.results_edited_by = user
            item.results_approved_by = None
            item.results_approved_at = None
        item.shortfall_note = shortfall_note
        return _save(item, user=user, reason=reason.strip() or "修改執行績效與成果")


def take_draft(*, user: User, item: Item) -> Item:
    """Replace the edited text with the draft from the approved months."""
    with transaction.atomic():
        item, _year = _checked(user, item, access.can_edit_results)
        _move(item, Event.TAKE_DRAFT)
        item.results = item.results_draft
        item.results_base = item.results_draft
        item.results_edited_by = user
        return _save(item, user=user, reason="採用由月填報彙整的草稿")


def submit_text(*, user: User, item: Item) -> Item:
    """Send the year-end text to the unit head for approval. This is the one place where the
    text starts waiting for approval: whoever tells heads about it hooks in here."""
    with transaction.atomic():
        item, _year = _checked(user, item, access.can_edit_results)
        if not item.results.strip():
            raise DomainError(_("執行績效與成果還是空白，請先填寫或等月填報核定後再送出。"))
        _move(item, Event.SUBMIT)
        item.results_edited_by = user
        item.results_state_reason = ""
        item = _save(item, user=user, reason="送出執行績效與成果，待主管核定")
        submission = item.history.values_list("history_id", flat=True).latest("history_id")
        for unit_id in item.host_units.values_list("pk", flat=True):
            notifications.results_awaiting(
                item=item, unit=unit_id, actor=user, event=f"h{submission}"
            )
        return item


def save_and_submit(
    *,
    user: User,
    item: Item,
    results: str,
    shortfall_note: str = "",
    reason: str = "",
) -> Item:
    """The page's submit button: what the form holds is saved first when it differs from the
    stored text (so no typing is lost), then the text is submitted, in one transaction."""
    with transaction.atomic():
        current = Item.objects.get(pk=item.pk)
        clean_results = (results or "").strip().replace("\r\n", "\n")
        clean_note = (shortfall_note or "").strip().replace("\r\n", "\n")
        if current.results != clean_results or current.shortfall_note != clean_note:
            edit_text(
                user=user, item=item, results=results, shortfall_note=shortfall_note, reason=reason
            )
        return submit_text(user=user, item=item)


def _check_four_eyes(user: User, item: Item) -> None:
    if access.is_last_results_author(user, item):
        raise DomainError(_("您是最後修改或送出這段文字的人，請由另一位主管核定。"))


def approve_text(*, user: User, item: Item) -> Item:
    """A head of a host unit approves the submitted text, unless they last edited it."""
    with transaction.atomic():
        item, _year = _checked(user, item, access.can_review_results)
        _check_four_eyes(user, item)
        _move(item, Event.APPROVE)
        item.results_approved_by = user
        item.results_approved_at = timezone.now()
        return _save(item, user=user, reason="核定執行績效與成果")


def return_text(*, user: User, item: Item, reason: str) -> Item:
    """A head returns the submitted text with a reason the staff will see."""
    reason = _clean_reason(reason, required=_("退回時請寫明原因，讓承辦人知道要修正什麼。"))
    with transaction.atomic():
        item, _year = _checked(user, item, access.can_review_results)
        plain = item.results == item.results_draft
        _move(item, Event.RETURN_PLAIN if plain else Event.RETURN_EDITED)
        item.results_state_reason = reason
        return _save(item, user=user, reason=f"退回執行績效與成果：{reason}")


def accept_text(*, user: User, item: Item, reason: str) -> Item:
    """The admin accepts a text that was not approved, so the year can close; the reason is
    kept on the item and in its history."""
    reason = _clean_reason(reason, required=_("管理者接受未核定的文字時必須填寫原因。"))
    with transaction.atomic():
        item, _year = _checked(user, item, lambda m, _item, y: access.can_accept_results(m, y))
        _move(item, Event.ACCEPT)
        item.results_state_reason = reason
        item.results_approved_by = user
        item.results_approved_at = timezone.now()
        return _save(item, user=user, reason=f"管理者接受執行績效與成果：{reason}")


# --- what the pages show and what closing asks ------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[。；;！!？?])|\n")


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def stale_changes(item: Item) -> list[tuple[str, str]]:
    """What changed in the months since the text was last confirmed: ("+", sentence) for what
    the draft says now and did not then, ("-", sentence) for what it no longer says."""
    if item.results_state != State.STALE:
        return []
    old, new = _sentences(item.results_base), _sentences(item.results_draft)
    changes = []
    for line in difflib.ndiff(old, new):
        if line[:2] in {"+ ", "- "}:
            changes.append((line[0], line[2:]))
    return changes


def items_not_final(year: Year) -> list[Item]:
    """Items of the year whose text is neither approved, accepted nor imported - none in a
    year without any monthly entry, whose texts came from a report (2 queries)."""
    if not MonthlyEntry.objects.filter(item__method__strategy__dimension__year=year).exists():
        return []
    return list(
        Item.objects.filter(method__strategy__dimension__year=year, is_retired=False)
        .exclude(results_state__in=FINAL)
        .order_by("pk")
    )


def check_year_end_texts_final(year: Year) -> None:
    """Raise DomainError naming every item whose year-end text is not approved (or accepted by
    the admin with a reason): closing the year calls this beside the shortfall check."""
    # Imported here: the entry selectors import the results service this module imports.
    from strategies.selectors.entries import number_paths

    missing = items_not_final(year)
    if not missing:
        return
    paths = number_paths(year)
    names = "、".join(
        f"{paths.get(i.pk, str(i))}（{i.get_results_state_display()}）" for i in missing
    )
    raise DomainError(
        _(
            "下列項目的執行績效與成果尚未核定，結算前請由主管核定，或由管理者註明原因後接受："
            "%(names)s。"
        )
        % {"names": names}
    )

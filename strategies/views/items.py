"""Item pages: the item's history (audit trail) and its year-end results."""

from typing import Protocol

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_stubs_ext import StrPromise

from strategies import access
from strategies.auth import AuthenticatedHttpRequest, User
from strategies.errors import DomainError
from strategies.forms import ResultsForm
from strategies.models import Item
from strategies.selectors import entries as selectors
from strategies.selectors.history import item_history as item_history_events
from strategies.services import results as results_services
from strategies.services import year_end
from strategies.views.entries import load_item, year_of
from strategies.year_end import Event, allows


@login_required
def item_history(request: AuthenticatedHttpRequest, item_id: int) -> HttpResponse:
    item, membership = load_item(request.user, item_id)
    access.check_item_readable(membership, item)
    year = year_of(item)
    return render(
        request,
        "strategies/item_history.html",
        {
            "item": item,
            "year": year,
            "path": selectors.number_path_of(item),
            "events": item_history_events(item, membership=membership),
        },
    )


class _Move(Protocol):
    def __call__(self, *, user: User, item: Item) -> Item: ...


class _MoveWithReason(Protocol):
    def __call__(self, *, user: User, item: Item, reason: str) -> Item: ...


# The moves of the year-end text a page may ask for, each one service call.
_TEXT_ACTIONS: dict[str, tuple[_Move, StrPromise]] = {
    "take_draft": (year_end.take_draft, gettext_lazy("已採用由月填報彙整的草稿。")),
    "approve": (year_end.approve_text, gettext_lazy("已核定執行績效與成果。")),
}
_REASON_ACTIONS: dict[str, tuple[_MoveWithReason, StrPromise]] = {
    "return": (year_end.return_text, gettext_lazy("已退回執行績效與成果。")),
    "accept": (year_end.accept_text, gettext_lazy("已接受執行績效與成果。")),
}


@login_required
@require_http_methods(["GET", "POST"])
def item_results(request: AuthenticatedHttpRequest, item_id: int) -> HttpResponse:
    """The item's year-end text: its state, the text (editable by the host units while the
    year is open), what changed in the months when it is stale, the draft the approved months
    make, and the moves this person may make (submit, approve, return, accept)."""
    item, membership = load_item(request.user, item_id)
    access.check_item_readable(membership, item)
    year = year_of(item)
    state = Item.ResultsState(item.results_state)
    can_edit = access.can_edit_results(membership, item, year)
    can_review = access.can_review_results(membership, item, year)
    can_accept = access.can_accept_results(membership, year)
    form = ResultsForm(initial={"results": item.results, "shortfall_note": item.shortfall_note})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "edit")
        allowed = {
            "edit": can_edit,
            "take_draft": can_edit,
            "submit": can_edit,
            "approve": can_review,
            "return": can_review,
            "accept": can_accept,
        }
        if not allowed.get(action, False):
            raise PermissionDenied
        try:
            if action in _TEXT_ACTIONS:
                move, done = _TEXT_ACTIONS[action]
                move(user=request.user, item=item)
                messages.success(request, done)
                return redirect("strategies:item-results", item_id=item.pk)
            if action in _REASON_ACTIONS:
                move_with_reason, done = _REASON_ACTIONS[action]
                move_with_reason(
                    user=request.user, item=item, reason=request.POST.get("state_reason", "")
                )
                messages.success(request, done)
                return redirect("strategies:item-results", item_id=item.pk)
            form = ResultsForm(request.POST)
            if form.is_valid():
                # Submit saves what the form holds first: the button sits in the edit form.
                save = year_end.save_and_submit if action == "submit" else year_end.edit_text
                save(
                    user=request.user,
                    item=item,
                    results=form.cleaned_data["results"],
                    shortfall_note=form.cleaned_data["shortfall_note"],
                    reason=form.cleaned_data["reason"],
                )
                if action == "submit":
                    messages.success(request, _("已送出執行績效與成果，等待主管核定。"))
                else:
                    messages.success(request, _("已儲存執行績效與成果。"))
                return redirect("strategies:item-results", item_id=item.pk)
            status = 400
        except DomainError as exc:
            messages.error(request, exc.message)
            status = 400
    last_editor = access.is_last_results_author(request.user, item)
    return render(
        request,
        "strategies/item_results.html",
        {
            "item": item,
            "year": year,
            "path": selectors.number_path_of(item),
            "compiled": results_services.compile_item(item),
            "form": form,
            "state": state,
            "changes": year_end.stale_changes(item),
            "can_edit": can_edit,
            "can_take_draft": can_edit and allows(state, Event.TAKE_DRAFT),
            "can_submit": can_edit and allows(state, Event.SUBMIT),
            "can_approve": can_review and allows(state, Event.APPROVE) and not last_editor,
            "four_eyes_block": can_review and allows(state, Event.APPROVE) and last_editor,
            "can_return": can_review and allows(state, Event.RETURN_EDITED),
            "can_accept": can_accept and allows(state, Event.ACCEPT),
        },
        status=status,
    )

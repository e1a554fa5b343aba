"""Item pages: the item's history (audit trail) and its year-end results."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from strategies import access
from strategies.errors import DomainError
from strategies.forms import ResultsForm
from strategies.models import Item, Year
from strategies.selectors import entries as selectors
from strategies.selectors.history import item_history as item_history_events
from strategies.services import results as results_services
from strategies.views.entries import friendly_403, load_item, year_of


def _check_item_readable(membership, item: Item) -> None:  # type: ignore[no-untyped-def]
    if access.can_read_all(membership):
        return
    if membership.unit is None or not access.hosts(membership.unit, item):
        raise PermissionDenied


@login_required
@friendly_403
def item_history(request: HttpRequest, item_id: int) -> HttpResponse:
    item, membership = load_item(request.user, item_id)
    _check_item_readable(membership, item)
    year = year_of(item)
    return render(
        request,
        "strategies/item_history.html",
        {
            "item": item,
            "year": year,
            "path": selectors.number_path_of(item),
            "events": item_history_events(item),
        },
    )


@login_required
@friendly_403
@require_http_methods(["GET", "POST"])
def item_results(request: HttpRequest, item_id: int) -> HttpResponse:
    """The item's year-end results: the text compiled from approved entries, editable by the
    host units until the year closes."""
    item, membership = load_item(request.user, item_id)
    _check_item_readable(membership, item)
    year = year_of(item)
    can_edit = (
        year.status == Year.Status.OPEN
        and membership.unit is not None
        and access.can_edit_entry(membership, item, membership.unit)
    )
    form = ResultsForm(initial={"results": item.results, "shortfall_note": item.shortfall_note})
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        try:
            if request.POST.get("action") == "compile":
                results_services.apply_compiled_results(user=request.user, item=item)
                messages.success(request, _("已由核定的月填報重新彙整執行績效與成果。"))
                return redirect("strategies:item-results", item_id=item.pk)
            form = ResultsForm(request.POST)
            if form.is_valid():
                results_services.edit_results(
                    user=request.user,
                    item=item,
                    results=form.cleaned_data["results"],
                    shortfall_note=form.cleaned_data["shortfall_note"],
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, _("已儲存執行績效與成果。"))
                return redirect("strategies:item-results", item_id=item.pk)
            status = 400
        except DomainError as exc:
            messages.error(request, exc.message)
            status = 400
    return render(
        request,
        "strategies/item_results.html",
        {
            "item": item,
            "year": year,
            "path": selectors.number_path_of(item),
            "compiled": results_services.compile_item(item),
            "form": form,
            "can_edit": can_edit,
        },
        status=status,
    )

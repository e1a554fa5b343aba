"""Monthly entry pages: My work, the entry form and its review, item history, evidence, locks.

Thin views: access through strategies.access (404 for another organization, 403 for a member
without the right, login for anonymous), reads through selectors, writes through services.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from strategies import access, deadlines, entry_lifecycle, number_format
from strategies.auth import AuthenticatedHttpRequest, User
from strategies.downloads import attachment_response
from strategies.errors import DomainError, StaleVersionError
from strategies.filters import MyWorkFilter
from strategies.forms import (
    CommentForm,
    EntryForm,
    ReasonForm,
    ReviewForm,
    value_field_name,
)
from strategies.models import Evidence, Item, Membership, MonthlyEntry, Unit, Year
from strategies.selectors import entries as selectors
from strategies.services import entries as services
from strategies.tables import item_links, month_strip


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "strategies/bad_request.html", {"message": message}, status=400)


def year_of(item: Item) -> Year:
    return item.method.strategy.dimension.year


def load_item(
    user: User, item_id: int, *, with_indicators: bool = False
) -> tuple[Item, Membership]:
    """The item and the user's membership; 404 for a missing item or another organization."""
    try:
        item = selectors.item_for_entry(item_id, with_indicators=with_indicators)
    except Item.DoesNotExist:
        raise Http404 from None
    return item, access.get_year_for_user(user, year_of(item))


def load_unit(item: Item, unit_id: int) -> Unit:
    """A unit of the item's organization; 404 otherwise. Usually one of the item's host units,
    already loaded with it (no query)."""
    organization_id = year_of(item).organization_id
    for unit in item.host_units.all():
        if unit.pk == unit_id and unit.organization_id == organization_id:
            return unit
    return get_object_or_404(Unit, pk=unit_id, organization_id=organization_id)


def _load_entry(user: User, entry_id: int) -> MonthlyEntry:
    entry = get_object_or_404(
        MonthlyEntry.objects.select_related(
            "unit", "item__method__strategy__dimension__year__organization"
        ),
        pk=entry_id,
    )
    access.get_year_for_user(user, year_of(entry.item))
    return entry


def _entry_url(
    entry_or_item: MonthlyEntry | Item, unit_id: int | None = None, month: int | None = None
) -> str:
    if isinstance(entry_or_item, MonthlyEntry):
        return reverse(
            "strategies:entry-edit",
            args=[entry_or_item.item_id, entry_or_item.unit_id, entry_or_item.month],
        )
    return reverse("strategies:entry-edit", args=[entry_or_item.pk, unit_id, month])


# --- My work --------------------------------------------------------------------------------


@login_required
def my_work(request: AuthenticatedHttpRequest) -> HttpResponse:
    membership = access.membership_of(request.user)
    if membership is None:
        raise Http404
    year_id = request.GET.get("year")
    year: Year | None
    if year_id:
        if not year_id.isdigit():
            raise Http404
        year = get_object_or_404(Year.objects.select_related("organization"), pk=year_id)
        access.get_year_for_user(request.user, year)
    else:
        year = selectors.current_year(membership)
        if year is None:
            return render(request, "strategies/my_work.html", {"year": None})
    filterset = MyWorkFilter(
        request.GET or None,
        queryset=selectors.visible_items(membership, year),
        year=year,
    )
    today = deadlines.today_in_taipei()
    # Every row's (item, unit) ids in one query, paged here: a count and a page would be two
    # queries of the same joins (a few thousand pairs of ids at most, even for an admin).
    pairs = list(
        selectors.work_pairs(
            membership, year, today=today, items=filterset.qs, status=filterset.status_value
        )
    )
    page = Paginator(pairs, selectors.MY_WORK_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.my_work_rows(membership, year, today=today, pairs=page.object_list)
    return render(
        request,
        "strategies/my_work.html",
        {
            "year": year,
            "rows": [(row, month_strip(row), *item_links(row)) for row in rows],
            "page_obj": page,
            "show_unit": access.can_read_all(membership),
            "filter": filterset,
            "today": today,
            "row_count": page.paginator.count,
            "legend": selectors.STRIP_LABELS.items(),
        },
    )


# --- the entry form -------------------------------------------------------------------------


def _entry_page(
    request: HttpRequest,
    ctx: selectors.EntryContext,
    membership: Membership | None,
    form: EntryForm | None = None,
    *,
    stale: MonthlyEntry | None = None,
    outliers: list[services.Outlier] | None = None,
    status: int = 200,
) -> HttpResponse:
    entry = ctx.entry
    can_edit = access.can_edit_entry(membership, ctx.item, ctx.unit) and ctx.content_editable
    if form is None and can_edit:
        initial = {"version": ctx.version, "narrative": entry.narrative if entry else ""}
        for indicator in ctx.indicators:
            value = ctx.values.get(indicator.pk)
            # 3, not 3.00: whole counts are shown as people write them.
            initial[value_field_name(indicator)] = (
                None if value is None else number_format.plain(value)
            )
        form = EntryForm(initial=initial, indicators=ctx.indicators, evidence=_files(ctx))
    reviewable = (
        entry
        if entry is not None
        and entry_lifecycle.allows(entry.status, entry_lifecycle.Action.APPROVE)
        and access.can_review_entry(membership, entry)
        and ctx.year_writable
        else None
    )
    can_review = reviewable is not None
    return render(
        request,
        "strategies/entry_form.html",
        {
            "ctx": ctx,
            "entry": entry,
            "form": form if can_edit else None,
            "can_edit": can_edit,
            "can_review": can_review,
            # A head looking at what they submitted: another reviewer must act (four-eyes).
            "own_submission": (
                entry is not None
                and entry_lifecycle.allows(entry.status, entry_lifecycle.Action.APPROVE)
                and access.is_own_submission(membership, entry)
            ),
            "as_deputy": reviewable is not None
            and access.reviews_as_deputy(membership, reviewable),
            "review_form": ReviewForm(initial={"version": reviewable.version})
            if reviewable is not None
            else None,
            "can_reopen": (
                entry is not None
                and access.is_year_admin(membership, ctx.year)
                and entry_lifecycle.allows(entry.status, entry_lifecycle.Action.REOPEN)
                and ctx.year_writable
            ),
            "reopen_form": ReasonForm(initial={"version": entry.version}) if entry else None,
            "comment_form": (
                CommentForm()
                if entry and access.can_comment_entry(membership, ctx.item, ctx.unit)
                else None
            ),
            "stale": stale,
            "outliers": outliers,
            "status_labels": selectors.STRIP_LABELS,
        },
        status=status,
    )


def _files(ctx: selectors.EntryContext) -> list[Evidence]:
    return list(ctx.entry.evidence.all()) if ctx.entry else []


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(
    request: AuthenticatedHttpRequest, item_id: int, unit_id: int, month: int
) -> HttpResponse:
    """GET: the entry of (item, unit, month), editable or read-only. POST: save or submit."""
    item, membership = load_item(request.user, item_id, with_indicators=True)
    unit = load_unit(item, unit_id)
    access.check_entry_access(request.user, item, unit, write=request.method == "POST")
    if not 1 <= month <= 12:
        return _bad_request(request, _("月份必須是 1 到 12 月。"))
    today = deadlines.today_in_taipei()
    if request.method != "POST":
        ctx = selectors.entry_context(item=item, unit=unit, month=month, today=today)
        return _entry_page(request, ctx, membership)

    def again(form: EntryForm, **kwargs: Any) -> HttpResponse:
        """The form shown again with what went wrong (the page's context read only now)."""
        ctx = selectors.entry_context(item=item, unit=unit, month=month, today=today)
        return _entry_page(request, ctx, membership, form, **kwargs)

    indicators, evidence = selectors.entry_form_inputs(item=item, unit=unit, month=month)
    form = EntryForm(request.POST, request.FILES, indicators=indicators, evidence=evidence)
    if not form.is_valid():
        return again(form, status=400)
    submit = form.cleaned_data["action"] == EntryForm.SUBMIT
    try:
        entry = services.save_entry(
            user=request.user,
            item=item,
            unit=unit,
            month=month,
            version=form.cleaned_data["version"],
            narrative=form.cleaned_data["narrative"],
            values=form.values(),
            submit=submit,
            confirm_outliers=form.cleaned_data["confirm_outliers"],
            files=form.cleaned_data["evidence"],
            remove_evidence=form.cleaned_data["remove_evidence"],
            today=today,
        )
    except StaleVersionError as exc:
        form.add_error(None, exc.message)
        return again(form, stale=exc.current, status=409)
    except services.OutlierNeedsConfirmation as exc:
        form.add_error(None, exc.message)
        return again(form, outliers=exc.outliers, status=400)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return again(form, status=400)
    if submit:
        messages.success(request, _("已送出 %(month)s 月填報，等待主管核定。") % {"month": month})
    else:
        messages.success(request, _("已儲存 %(month)s 月草稿。") % {"month": month})
    return redirect(_entry_url(entry))


@login_required
@require_POST
def entry_review(request: AuthenticatedHttpRequest, entry_id: int) -> HttpResponse:
    """A unit head, or the organization's admin as deputy, approves or returns a submitted
    entry; the service refuses the person who submitted it (four-eyes)."""
    entry = _load_entry(request.user, entry_id)
    membership = access.membership_of(request.user)
    if not access.is_reviewer_of(membership, entry):
        raise PermissionDenied
    form = ReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))  # ErrorList yields the messages
        return redirect(_entry_url(entry))
    try:
        if form.cleaned_data["action"] == ReviewForm.APPROVE:
            services.approve_entry(
                user=request.user, entry=entry, version=form.cleaned_data["version"]
            )
            messages.success(request, _("已核定這筆填報。"))
        else:
            services.return_entry(
                user=request.user,
                entry=entry,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("已退回這筆填報，承辦人會看到退回原因。"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(_entry_url(entry))


@login_required
@require_POST
def entry_reopen(request: AuthenticatedHttpRequest, entry_id: int) -> HttpResponse:
    """An admin sends an approved or submitted entry back to the unit, with a reason."""
    entry = _load_entry(request.user, entry_id)
    access.check_year_right(request.user, year_of(entry.item), access.is_year_admin)
    form = ReasonForm(request.POST)
    if not form.is_valid() or not form.cleaned_data.get("version"):
        messages.error(request, _("重新開放填報必須填寫原因。"))
        return redirect(_entry_url(entry))
    try:
        services.reopen_entry(
            user=request.user,
            entry=entry,
            version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("已重新開放這筆填報。"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(_entry_url(entry))


@login_required
@require_POST
def entry_comment(request: AuthenticatedHttpRequest, entry_id: int) -> HttpResponse:
    entry = _load_entry(request.user, entry_id)
    access.check_comment_access(request.user, entry.item, entry.unit)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.add_comment(user=request.user, entry=entry, body=form.cleaned_data["body"])
            messages.success(request, _("已新增意見。"))
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("請輸入意見內容（2000 字以內）。"))
    return redirect(_entry_url(entry) + "#comments")


# --- evidence files -------------------------------------------------------------------------


@login_required
def evidence_download(request: AuthenticatedHttpRequest, evidence_id: int) -> HttpResponseBase:
    evidence = get_object_or_404(
        Evidence.objects.select_related(
            "entry__unit", "entry__item__method__strategy__dimension__year__organization"
        ),
        pk=evidence_id,
    )
    entry = evidence.entry
    access.get_year_for_user(request.user, year_of(entry.item))
    access.check_entry_access(request.user, entry.item, entry.unit, write=False)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return attachment_response(
        handle, filename=evidence.original_name, content_type=evidence.content_type
    )

"""Score sheet pages: the sheet, entering a round, grade bands, the review page and reopening.

Strangers (another organization) get 404, members without the right 403 (strategies.access).
Signing off lives in perfreport.reports.signoff: it also issues the frozen report.
"""

from typing import TypedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from scoring import selectors, services
from scoring.charts import score_chart_svg, trend_chart_svg
from scoring.filters import ReviewFilter
from scoring.forms import BandsForm, ReopenForm, ScoreForm
from scoring.models import DimensionScore
from scoring.tables import ReviewTable
from strategies import number_format, year_lifecycle
from strategies.access import (
    can_enter_round,
    can_read_year_review,
    can_see_unsigned_review,
    get_year_for_user,
    is_year_admin,
    is_year_auditor,
    membership_of,
)
from strategies.auth import AuthenticatedHttpRequest
from strategies.errors import DomainError
from strategies.models import Membership, Year
from strategies.selectors import year_or_404, years_for
from strategies.services.years import status_change_confirmation

Round = DimensionScore.Round


def _year_for(
    request: AuthenticatedHttpRequest, org: str, roc_year: int
) -> tuple[Year, Membership]:
    year = year_or_404(org, roc_year)
    return year, get_year_for_user(request.user, year)


class YearKwargs(TypedDict):
    org: str
    roc_year: int


def _year_kwargs(year: Year) -> YearKwargs:
    return {"org": year.organization.code, "roc_year": year.roc_year}


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every year the member may see, each with its score sheet (one query for the years)."""
    years = years_for(membership_of(request.user)).select_related("score_sheet")
    return render(request, "scoring/index.html", {"years": years})


@login_required
def score_sheet(request: AuthenticatedHttpRequest, org: str, roc_year: int) -> HttpResponse:
    """考核結果統計表: every member of the organization (and headquarters) may read it."""
    year, membership = _year_for(request, org, roc_year)
    sees_review = can_see_unsigned_review(membership, year)
    data = selectors.score_sheet_data(year, include_unsigned_review=sees_review)
    return render(
        request,
        "scoring/score_sheet.html",
        {
            "sheet": data,
            "year": year,
            "score_chart": score_chart_svg(data),
            "trend_chart": trend_chart_svg(data),
            "history": selectors.score_history(
                year, limit=20, include_review=sees_review or data.signed_off
            ),
            "status_history": selectors.year_status_history(year),
            "can_self": can_enter_round(membership, year, Round.SELF) and not data.locked,
            "can_review": can_enter_round(membership, year, Round.REVIEW) and not data.locked,
            "can_sign_off": is_year_auditor(membership, year)
            and not data.locked
            and data.review_round.complete,
            "can_reopen": is_year_admin(membership, year) and data.locked,
            "can_bands": is_year_admin(membership, year) and not data.locked,
            "can_review_page": can_read_year_review(membership, year),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def score_edit(
    request: AuthenticatedHttpRequest, org: str, roc_year: int, round: str
) -> HttpResponse:
    """Enter one round's scores; the server recomputes the total and grade on save."""
    if round not in Round.values:
        raise Http404
    year, membership = _year_for(request, org, roc_year)
    if not can_enter_round(membership, year, round):
        raise PermissionDenied
    # Only the organization's admin and auditors enter rounds: both may see the review.
    data = selectors.score_sheet_data(year, include_unsigned_review=True)
    form = ScoreForm(request.POST or None, sheet=data, round=round)
    status = 200
    if data.locked:
        if request.method == "POST":
            messages.error(request, _("本年度已完成複評並鎖定，不能再修改分數。"))
        return redirect("scoring:score-sheet", **_year_kwargs(year))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_scores(
                year=year,
                round=round,
                scores=form.scores(),
                comments=form.comments(),
                assessed_by=form.cleaned_data["assessed_by"],
                assessed_month=form.cleaned_data["assessed_month"],
                user=request.user,
            )
        except services.ScoreError as exc:
            for key, message in exc.errors.items():
                form.add_error(f"score_{key}" if isinstance(key, int) else key, message)
            status = 400
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = 400
        else:
            saved = selectors.score_sheet_data(year, include_unsigned_review=True)
            summary = saved.review_round if round == Round.REVIEW else saved.self_round
            messages.success(
                request,
                _("已儲存%(round)s分數：總分 %(total)s，等第 %(grade)s。")
                % {
                    "round": Round(round).label,
                    "total": number_format.one_decimal(summary.total) if summary.complete else "—",
                    "grade": summary.grade or "—",
                },
            )
            return redirect("scoring:score-sheet", **_year_kwargs(year))
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "scoring/score_edit.html",
        {
            "sheet": data,
            "year": year,
            "form": form,
            "round": round,
            "round_label": Round(round).label,
            "bands": data.bands,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def bands_edit(request: AuthenticatedHttpRequest, org: str, roc_year: int) -> HttpResponse:
    """The year's grade bands, edited by its admin; the grades follow."""
    year, membership = _year_for(request, org, roc_year)
    if not is_year_admin(membership, year):
        raise PermissionDenied
    data = selectors.score_sheet_data(year, include_unsigned_review=True)
    if data.locked:
        if request.method == "POST":
            messages.error(request, _("本年度已完成複評並鎖定，不能再調整等第區間。"))
        return redirect("scoring:score-sheet", **_year_kwargs(year))
    bands = data.bands
    form = BandsForm(
        request.POST or None,
        initial={
            "excellent_min": number_format.one_decimal(bands.excellent_min),
            "a_min": number_format.one_decimal(bands.a_min),
            "b_min": number_format.one_decimal(bands.b_min),
            "c_min": number_format.one_decimal(bands.c_min),
        },
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.update_grade_bands(
                year=year,
                values=form.cleaned_data,
                user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except services.BandsError as exc:
            for name, message in exc.errors.items():
                form.add_error(name or None, message)
            status = 400
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = 400
        else:
            messages.success(request, _("已更新等第區間，本年度等第已重新計算。"))
            return redirect("scoring:score-sheet", **_year_kwargs(year))
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "scoring/bands_edit.html",
        {
            "sheet": data,
            "year": year,
            "form": form,
            "bands_history": selectors.bands_history(year),
        },
        status=status,
    )


@login_required
def review(request: AuthenticatedHttpRequest, org: str, roc_year: int) -> HttpResponse:
    """The whole year for the auditor, filtered by dimension, unit and status."""
    year, membership = _year_for(request, org, roc_year)
    if not can_read_year_review(membership, year):
        raise PermissionDenied
    all_items = selectors.review_items(year)
    item_filter = ReviewFilter(request.GET or None, queryset=all_items, year=year)
    items = item_filter.qs if item_filter.is_bound and item_filter.is_valid() else all_items
    page = Paginator(items, selectors.REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    page_items = page.object_list  # a slice of the queryset: still a queryset
    assert isinstance(page_items, QuerySet)
    rows = selectors.review_rows(page_items)
    dimensions = selectors.dimension_index(year)
    groups = []
    for dimension in dimensions:
        group_rows = [r for r in rows if r.dimension_number == dimension.number]
        if group_rows:
            groups.append((dimension, ReviewTable(group_rows, prefix=f"d{dimension.number}-")))
    return render(
        request,
        "scoring/review.html",
        {
            "year": year,
            "filter": item_filter,
            "groups": groups,
            "dimensions": dimensions,
            "page_obj": page,
            "row_count": page.paginator.count,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def reopen(request: AuthenticatedHttpRequest, org: str, roc_year: int) -> HttpResponse:
    """Reopen a locked year: the organization's admin, with a reason that is recorded."""
    year, membership = _year_for(request, org, roc_year)
    if not is_year_admin(membership, year):
        raise PermissionDenied
    form = ReopenForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.reopen_year(
                year=year,
                user=request.user,
                reason=form.cleaned_data["reason"],
                status=form.cleaned_data["status"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = 400
        else:
            messages.success(request, _("已重新開放本年度，原因已記錄。"))
            return redirect("scoring:score-sheet", **_year_kwargs(year))
    elif request.method == "POST":
        status = 400
    effects = {
        target: status_change_confirmation(year=year, status=target).consequences
        for target in year_lifecycle.reopen_targets()
    }
    return render(
        request,
        "scoring/reopen.html",
        {"year": year, "form": form, "effects": effects},
        status=status,
    )

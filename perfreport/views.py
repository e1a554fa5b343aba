"""The home page: a dashboard for the signed-in member's role (staff, head, auditor, admin)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from perfreport.templatetags.roc import month_label
from scoring.selectors import score_sheet_data
from strategies import access, year_lifecycle
from strategies.access import membership_of
from strategies.auth import AuthenticatedHttpRequest
from strategies.models import Membership, Year
from strategies.selectors import dashboard, years_for
from strategies.selectors.unit_board import StaffDashboard

Role = Membership.Role
# Item rows per page in the due and overdue lists of the staff and head home pages.
GROUPS_PER_PAGE = 10
# Item rows per page of the year at a glance.
GLANCE_ROWS_PER_PAGE = 50


def _group_pages(request: HttpRequest, board: StaffDashboard) -> dict[str, object]:
    """The due and overdue lists one page of item rows at a time (`?due_page=`, `?overdue_page=`),
    and the year at a glance (`?glance_page=`): each page read from the database alone."""
    return {
        "glance_page": Paginator(board.glance_rows, GLANCE_ROWS_PER_PAGE).get_page(
            request.GET.get("glance_page")
        ),
        "due_page": Paginator(board.due_groups, GROUPS_PER_PAGE).get_page(
            request.GET.get("due_page")
        ),
        "overdue_page": Paginator(board.overdue_groups, GROUPS_PER_PAGE).get_page(
            request.GET.get("overdue_page")
        ),
    }


def _chosen_year(request: HttpRequest, membership: Membership, years: list[Year]) -> Year | None:
    """`?year=<pk>` among the years the member sees (404 otherwise), else the current year."""
    raw = request.GET.get("year", "")
    if raw:
        if not raw.isdigit():
            raise Http404
        for year in years:
            if year.pk == int(raw):
                return year
        raise Http404
    return dashboard.current_year(membership, years)


def _score_sheet_state(year: Year) -> object:
    """The score sheet as the scoring app reads it (strategies may not import scoring); only
    the auditor's dashboard asks, and auditors see the review in progress."""
    return score_sheet_data(year, include_unsigned_review=True)


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    membership = membership_of(request.user)
    years = list(years_for(membership)) if membership else []
    year = _chosen_year(request, membership, years) if membership else None
    context: dict[str, object] = {"years": years, "year": year, "membership": membership}
    if membership is None or year is None:
        return render(request, "home.html", context)

    context["months"] = dashboard.MONTHS
    context["month_names"] = [month_label(m) for m in dashboard.MONTHS]
    context["legend"] = list(dashboard.STATE_LABELS.items())
    kind = access.dashboard_kind(membership)
    # Staff and heads have a board only with a unit (access.dashboard_kind).
    if kind == Role.STAFF and membership.unit is not None:
        staff_board = dashboard.staff_dashboard(year, membership.unit)
        context["board"] = staff_board
        context["board_template"] = "dashboard/staff.html"
        context.update(_group_pages(request, staff_board))
    elif kind == Role.HEAD and membership.unit is not None:
        head_board = dashboard.head_dashboard(year, membership.unit, reviewer=membership)
        context["board"] = head_board
        context["board_template"] = "dashboard/head.html"
        context.update(_group_pages(request, head_board))
    elif kind == Role.AUDITOR:
        auditor_board = dashboard.auditor_dashboard(year, score_sheet=_score_sheet_state)
        context["board"] = auditor_board
        context["board_template"] = "dashboard/auditor.html"
        context["unit_names"] = [u.name for u in auditor_board.units]
    elif kind == Role.ADMIN:
        admin_board = dashboard.admin_dashboard(year)
        context["board"] = admin_board
        context["overdue_page"] = Paginator(
            admin_board.overdue_rows, dashboard.OVERDUE_GROUPS_SHOWN
        ).get_page(request.GET.get("overdue_page"))
        context["board_template"] = "dashboard/admin.html"
        if access.is_year_admin(membership, year):
            context["year_actions"] = year_lifecycle.moves_from(year.status)
    return render(request, "home.html", context)

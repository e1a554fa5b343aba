"""Headquarters comparison page and workbook."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django_tables2 import RequestConfig

from scoring.hq import ComparisonTable, comparison, comparison_xlsx, distribution_svg
from strategies.access import can_see_unsigned_review, check_hq_reader
from strategies.auth import AuthenticatedHttpRequest
from strategies.downloads import attachment_response
from strategies.selectors import visible_organizations

HQ_PAGE_SIZE = 25


@login_required
def hq_comparison(request: AuthenticatedHttpRequest) -> HttpResponse:
    membership = check_hq_reader(request.user)
    data = comparison(
        visible_organizations(membership),
        sees_unsigned_review=lambda year: can_see_unsigned_review(membership, year),
    )
    table = ComparisonTable(
        [row.as_dict() for row in data.rows], order_by=("-roc_year", "organization")
    )
    # Sorted over every row, shown HQ_PAGE_SIZE a page: national headquarters compare 200
    # branches and their years.
    RequestConfig(request, paginate={"per_page": HQ_PAGE_SIZE}).configure(table)
    return render(
        request,
        "scoring/hq_comparison.html",
        {
            "data": data,
            "table": table,
            "page_obj": table.page,
            # Built from escaped text in scoring.hq: plain SVG, no script (CSP-safe).
            "chart": mark_safe(distribution_svg(data)),  # noqa: S308
            "grades": ["優", "甲", "乙", "丙", "丁"],
            "distribution_rows": [
                (y, [data.distribution[y].get(g, 0) for g in "優甲乙丙丁"]) for y in data.years
            ],
        },
    )


@login_required
def hq_comparison_xlsx(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    membership = check_hq_reader(request.user)
    data = comparison(
        visible_organizations(membership),
        sees_unsigned_review=lambda year: can_see_unsigned_review(membership, year),
    )
    filename, content_type, content = comparison_xlsx(data)
    return attachment_response(content, filename=filename, content_type=content_type)

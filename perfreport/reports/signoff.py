"""Signing off a year's review: the highest layer involved orchestrates it in one transaction.

scoring records the sign-off and locks the year (through strategies); this layer then issues the
frozen report. If issuing fails, the sign-off and the lock are rolled back with it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from perfreport.reports.issuing import issue_report
from scoring.services import sign_off_review
from scoring.views import get_year
from strategies.access import get_year_for_user, is_year_auditor
from strategies.errors import DomainError


@login_required
@require_POST
def sign_off(request: HttpRequest, org: str, roc_year: int) -> HttpResponse:
    """The auditor finalises the review: the year is locked and its report issued."""
    year = get_year(org, roc_year)
    membership = get_year_for_user(request.user, year)
    if not is_year_auditor(membership, year):
        raise PermissionDenied
    try:
        with transaction.atomic():
            sign_off_review(year=year, user=request.user)
            issued = issue_report(year=year, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        version = issued[0].version if issued else None
        messages.success(
            request,
            _("已完成複評：本年度已鎖定，並發布第 %(version)s 版報告。") % {"version": version}
            if version
            else _("已完成複評：本年度已鎖定。"),
        )
    return redirect("scoring:score-sheet", org=year.organization.code, roc_year=year.roc_year)

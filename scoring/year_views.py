"""The copy-year form of the admin pages. It lives on the scoring side because a copy also sets
up the new year's grade bands and empty score sheet, and strategies never imports scoring."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from scoring.year_setup import copy_year_with_scoring
from strategies.auth import AuthenticatedHttpRequest
from strategies.errors import DomainError
from strategies.forms_manage import CopyYearForm
from strategies.views.manage_common import own_admin


@login_required
@require_POST
def copy_year(request: AuthenticatedHttpRequest) -> HttpResponse:
    membership = own_admin(request)
    organization = membership.organization
    form = CopyYearForm(request.POST, organization=organization)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, _("無法複製年度：%(error)s") % {"error": error})
        return redirect("manage:years")
    data = form.cleaned_data
    try:
        year = copy_year_with_scoring(
            organization=organization,
            from_roc_year=data["from_year"].roc_year,
            to_roc_year=data["to_roc_year"],
            user=request.user,
            open_year=data["open_year"],
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("manage:years")
    messages.success(
        request,
        _(
            "已由 %(source)s 年度複製出 %(target)s 年度（%(status)s）："
            "架構、目標值與等第區間已複製，成果與分數留空。"
        )
        % {
            "source": data["from_year"].roc_year,
            "target": year.roc_year,
            "status": year.get_status_display(),
        },
    )
    return redirect("manage:plan", pk=year.pk)

"""Admin pages: the organization's years, their status, and the copy-year form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from strategies import year_lifecycle
from strategies.auth import AuthenticatedHttpRequest
from strategies.confirm import confirmed
from strategies.errors import DomainError
from strategies.forms_manage import CopyYearForm, YearStatusForm
from strategies.selectors.manage import years_of
from strategies.services.years import set_year_status, status_change_confirmation
from strategies.views.manage_common import admin_year, own_admin


@login_required
def years(request: AuthenticatedHttpRequest) -> HttpResponse:
    membership = own_admin(request)
    organization = membership.organization
    rows = [(year, year_lifecycle.moves_from(year.status)) for year in years_of(organization)]
    latest = rows[0][0].roc_year if rows else None
    copy_form = CopyYearForm(
        organization=organization,
        initial={"from_year": rows[0][0] if rows else None, "to_roc_year": (latest or 0) + 1},
    )
    return render(
        request,
        "strategies/manage/years.html",
        {"organization": organization, "rows": rows, "copy_form": copy_form},
    )


@login_required
@require_POST
def year_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership, year = admin_year(request, pk)
    form = YearStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("請選擇要改成的狀態。"))
        return redirect("manage:years")
    if not confirmed(request.POST):
        # First say exactly what will happen; the change runs when the form comes back.
        data = form.cleaned_data
        return render(
            request,
            "confirm.html",
            {
                "confirmation": status_change_confirmation(
                    year=year, status=data["status"], reason=data["reason"]
                ),
                "action": request.path,
                "hidden": [("status", data["status"]), ("reason", data["reason"])],
                "cancel_url": reverse("manage:years"),
            },
        )
    try:
        year = set_year_status(
            year=year,
            status=form.cleaned_data["status"],
            user=request.user,
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(year)s已改為「%(status)s」。")
            % {"year": year, "status": year.get_status_display()},
        )
    return redirect("manage:years")

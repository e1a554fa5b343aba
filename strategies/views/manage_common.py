"""Shared bits of the admin pages: who may use them and the one generic form page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from strategies.access import check_org_admin, membership_of
from strategies.auth import AuthenticatedHttpRequest
from strategies.errors import DomainError
from strategies.models import Membership, Year


def own_admin(request: AuthenticatedHttpRequest) -> Membership:
    """The signed-in admin's membership, for pages about their own organization (403 for others)."""
    membership = membership_of(request.user)
    if membership is None:
        raise PermissionDenied
    return check_org_admin(request.user, membership.organization)


def admin_year(request: AuthenticatedHttpRequest, pk: int) -> tuple[Membership, Year]:
    year = get_object_or_404(Year.objects.select_related("organization"), pk=pk)
    return check_org_admin(request.user, year.organization), year


def form_page(
    request: HttpRequest,
    form: Form,
    *,
    title: str,
    back_url: str,
    context: dict[str, object] | None = None,
    submit: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "strategies/manage/form.html",
        {
            "form": form,
            "title": title,
            "back_url": back_url,
            "submit": submit or _("儲存"),
            **(context or {}),
        },
        status=status,
    )


def refused(request: HttpRequest, form: Form, error: DomainError) -> None:
    """Show a refused write on the form it came from (nothing was changed)."""
    form.add_error(None, error.message)
    messages.error(request, error.message)

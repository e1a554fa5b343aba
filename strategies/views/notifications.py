"""The notification inbox: the signed-in member's own notices, newest first; mark read by POST."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from strategies.auth import AuthenticatedHttpRequest
from strategies.models import Notification
from strategies.selectors import notifications as selectors
from strategies.services import notifications as services


def _own(request: HttpRequest, pk: int) -> Notification:
    """One of the member's own notices; anyone else's is a 404."""
    return get_object_or_404(Notification, pk=pk, recipient=request.user)


@login_required
@require_GET
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = selectors.inbox_page(request.user, request.GET.get("page", 1))
    rows = [(n, selectors.text_of(n)) for n in page.object_list]
    return render(request, "strategies/notifications.html", {"page": page, "rows": rows})


@login_required
@require_POST
def notification_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark read; with `open`, go on to what the notice is about."""
    notification = services.mark_read(user=request.user, notification=_own(request, pk))
    if request.POST.get("open") and url_has_allowed_host_and_scheme(
        notification.link, allowed_hosts={request.get_host()}
    ):
        return redirect(notification.link or "strategies:notifications")
    return redirect(_back(request))


@login_required
@require_POST
def notifications_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.mark_all_read(user=request.user)
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    page = request.POST.get("page", "")
    base = reverse("strategies:notifications")
    return f"{base}?page={page}" if page.isdigit() else base

"""Failed sign-ins: which client an attempt came from, and the page a locked-out person sees.

django-axes counts failures per (user name, client IP) pair (settings.AXES_LOCKOUT_PARAMETERS),
so a stranger guessing passwords locks only that name from that address: not the name from
everywhere, and not everyone behind the same address.

The client IP: without a proxy in front it is REMOTE_ADDR and X-Forwarded-For is ignored,
because any client can send that header. With BEHIND_PROXY, and only for a request that really
arrives from one of TRUSTED_PROXIES, it is the right-most X-Forwarded-For entry: nginx's
`$proxy_add_x_forwarded_for` appends the address it saw to whatever the client sent, so the
last entry is the proxy's own word and the ones before it may be forged.
"""

import datetime as dt
import ipaddress
from typing import Any

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The address a failed sign-in is counted against (AXES_CLIENT_IP_CALLABLE)."""
    remote = request.META.get("REMOTE_ADDR", "")
    if settings.BEHIND_PROXY and remote in settings.TRUSTED_PROXIES:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            nearest = _valid_ip(forwarded.split(",")[-1])
            if nearest is not None:
                return nearest
    return _valid_ip(remote) if remote else None


def locked_until(username: str, ip_address: str | None) -> dt.datetime | None:
    """When the (user name, address) pair may try again: the last failure plus the cool-off."""
    cool_off = get_cool_off()
    last = (
        AccessAttempt.objects.filter(username=username, ip_address=ip_address)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    if cool_off is None or last is None:
        return None
    return last + cool_off


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page for a locked-out sign-in (AXES_LOCKOUT_CALLABLE): when to try again, and that
    the organization's admin can lift the lock sooner."""
    username = get_client_username(request, credentials) or ""
    until = locked_until(username, getattr(request, "axes_ip_address", client_ip(request)))
    if until is None:
        cool_off = get_cool_off()
        until = timezone.now() + cool_off if cool_off else None
    return render(
        request,
        "registration/locked_out.html",
        {"username": username, "until": until},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )

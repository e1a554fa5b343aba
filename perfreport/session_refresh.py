"""Sessions expire after SESSION_COOKIE_AGE of inactivity, refreshed at most once a minute.

Django's SESSION_SAVE_EVERY_REQUEST would keep the idle timeout exact by writing the session row
on every request (a transaction of its own: three database round trips). This middleware writes
it only when it was last written SESSION_REFRESH_SECONDS ago or more (or is being written
anyway), so an active person makes at most one session write a minute and is never logged out,
while an idle one is still logged out: SESSION_COOKIE_AGE after their last refresh, which is at
most SESSION_REFRESH_SECONDS before their last request. The cookie's max-age is renewed with
each write, like the row's expiry.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase

# When the session was last written (seconds since the epoch), inside the session itself.
REFRESHED_AT = "_refreshed_at"


class SessionRefreshMiddleware:
    """Sits right after SessionMiddleware, so the session it marks is saved on the way out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        session = request.session
        if session.session_key is None:
            return response  # no session cookie: nothing to keep alive
        refreshed_at = session.get(REFRESHED_AT)  # usually loaded already (the signed-in user)
        if session.is_empty():
            return response  # the cookie named no live session (expired, or logged out)
        now = int(time.time())
        stale = not isinstance(refreshed_at, int) or now - refreshed_at >= (
            settings.SESSION_REFRESH_SECONDS
        )
        if stale or session.modified:
            session[REFRESHED_AT] = now
        return response


@receiver(user_logged_in, dispatch_uid="perfreport.session_refresh")
def mark_signed_in_session(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """Signing in writes the session anyway: it counts as its refresh (for sign-ins outside a
    request's middleware too, such as the test client's force_login)."""
    if request is not None and hasattr(request, "session"):
        request.session[REFRESHED_AT] = int(time.time())

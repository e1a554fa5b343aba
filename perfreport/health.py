"""Liveness and database trouble.

- `healthz`: a trivial public view for load balancers (and the load benchmark's baseline). It
  touches no database, so it says the app server answers, nothing more. With `?deep=1` it runs
  the operator's checks (perfreport/checks.py, as `manage.py healthcheck`): only with the
  X-Healthcheck-Token header matching settings.HEALTHCHECK_TOKEN, or, when no token is set,
  from loopback without a proxy in between (no X-Forwarded-For).
- `OutageMiddleware`: when the database connection drops in the middle of a request (server
  restarted, network cut, connection killed) or the disk is full while a file is written, the
  service's transaction has already been rolled back; this says so in plain words (503 / 507)
  instead of a bare 500, and discards a broken database connection so the very next request
  opens a fresh one.
- `server_error` (the project's handler500): the same pages when the failure happens outside the
  view, where process_exception never sees it: a logged-in user's session is read again while
  the response goes out (SessionMiddleware.process_response), so without it a database outage
  reached them as a bare "Server Error (500)".
"""

import errno
import logging
import secrets
import sys
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    if request.GET.get("deep") != "1":
        return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
    if not _may_run_deep_checks(request):
        return HttpResponseForbidden(
            "deep checks need the X-Healthcheck-Token header\n", content_type="text/plain"
        )
    from perfreport.checks import run_checks

    checks = run_checks()
    body = "".join(check.line() + "\n" for check in checks)
    status = 200 if all(check.ok for check in checks) else 503
    return HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")


LOOPBACK = {"127.0.0.1", "::1"}


def _may_run_deep_checks(request: HttpRequest) -> bool:
    token = getattr(settings, "HEALTHCHECK_TOKEN", "")
    if token:
        given = request.headers.get("X-Healthcheck-Token", "")
        return secrets.compare_digest(given.encode(), token.encode())
    # Behind the README's nginx every client arrives from loopback: the proxy's header tells.
    return request.META.get("REMOTE_ADDR") in LOOPBACK and "X-Forwarded-For" not in request.headers


DISK_FULL = {errno.ENOSPC, errno.EDQUOT}


def _page(title: str, message: str, status: int) -> HttpResponse:
    # A page of its own: the site layout would need the session, i.e. the database.
    body = format_html(
        '<!DOCTYPE html><html lang="zh-Hant-TW"><head><meta charset="utf-8">'
        "<title>{}</title></head><body><main><h1>{}</h1><p>{}</p></main></body></html>",
        title,
        title,
        message,
    )
    response = HttpResponse(body, status=status)
    response["Retry-After"] = "5"
    return response


class OutageMiddleware:
    """A lost database connection or a full disk: a page that says nothing was saved."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return outage_response(request, exception)


def outage_response(request: HttpRequest, exception: BaseException) -> HttpResponse | None:
    """The 503 / 507 page for a database outage or a full disk; None for any other failure."""
    if isinstance(exception, OSError) and exception.errno in DISK_FULL:
        logger.error("disk full during %s %s", request.method, request.path)
        return _page(
            _("伺服器儲存空間不足"),
            _(
                "伺服器的儲存空間已滿，檔案與這次的修改都沒有存入。"
                "請通知系統管理者清出空間後再送出一次。"
            ),
            507,
        )
    if not isinstance(exception, OperationalError | InterfaceError):
        return None
    logger.error("database unavailable during %s %s", request.method, request.path)
    for conn in connections.all(initialized_only=True):
        # Outside any atomic block by now (the view's transactions have unwound), so the
        # broken connection can simply be dropped; Django reconnects on the next query.
        if not conn.in_atomic_block:
            conn.close()
    message = _(
        "資料庫連線暫時中斷，這次的修改沒有存入（資料仍是上一次儲存的內容）。"
        "請稍候再送出一次；若持續發生，請洽系統管理者。"
    )
    return _page(_("暫時無法連線資料庫"), message, 503)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: Django calls it while the uncaught exception is being handled."""
    exception = sys.exc_info()[1]
    if exception is not None:
        response = outage_response(request, exception)
        if response is not None:
            return response
    return defaults.server_error(request)

"""Nothing a signed-in person sees is kept by a browser or a shared cache.

Every response to an authenticated request (pages, evidence files, report downloads, exports)
is sent with `Cache-Control: no-store` (Django's never-cache headers: no-cache, no-store,
must-revalidate, private), so a shared computer's back button or disk cache, or a proxy, keeps
no official record. Static files are served by WhiteNoise before this middleware runs and keep
their long-lived caching.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers


class NoStoreForSignedInMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response

"""Who is signed in, as types: the project's user model and the request of a signed-in view.

The project keeps Django's own user model (no AUTH_USER_MODEL); its members reach their
organization and role through `user.membership` (strategies.models.Membership).
"""

from django.contrib.auth.models import User
from django.http import HttpRequest

__all__ = ["AuthenticatedHttpRequest", "User"]


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind `login_required`: its user is an account, never anonymous
    (django-stubs' pattern for authenticated requests; the middleware sets the same object)."""

    user: User

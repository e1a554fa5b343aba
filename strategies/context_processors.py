from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from strategies.access import membership_of
from strategies.auth import User
from strategies.selectors.notifications import unread_count


def membership(request: HttpRequest) -> dict[str, object]:
    """The signed-in user's membership (organization, unit, role) for the layout."""
    return {"membership": membership_of(request.user)}


class _LazyCount:
    """The unread count, read once and only if the page shows it (one COUNT query)."""

    def __init__(self, user: User) -> None:
        self._user = user
        self._value: int | None = None

    def __call__(self) -> int:
        if self._value is None:
            self._value = unread_count(self._user)
        return self._value


def notifications(request: HttpRequest) -> dict[str, object]:
    """`unread_notifications` for the nav badge of a signed-in member."""
    if isinstance(request.user, AnonymousUser):
        return {}
    return {"unread_notifications": _LazyCount(request.user)}

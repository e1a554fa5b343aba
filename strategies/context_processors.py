from django.http import HttpRequest

from strategies.access import membership_of


def membership(request: HttpRequest) -> dict[str, object]:
    """The signed-in user's membership (organization, unit, role) for the layout."""
    return {"membership": membership_of(request.user)}

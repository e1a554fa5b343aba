"""The interface language, remembered per user.

Traditional Chinese is the default. A member's choice is saved on their membership
(`Membership.language`) when they switch, and put back on every login, whatever browser they
use: the login view sets Django's language cookie from the membership, and LocaleMiddleware
reads that cookie on every request, so no page pays a query for it.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from strategies.access import membership_of
from strategies.auth import User
from strategies.models import Membership, Organization

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def _set_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def remember_language(*, membership: Membership, language: str, user: User) -> Membership:
    """Save the member's interface language (recorded in the membership's history)."""
    if language not in LANGUAGE_CODES or membership.language == language:
        return membership
    with transaction.atomic():
        membership.language = language
        membership._history_user = user
        membership._change_reason = f"介面語言 → {language}"
        membership.full_clean()
        membership.save(update_fields=["language"])
    return membership


class LoginView(auth_views.LoginView):
    """Django's login, then the member's remembered language for the rest of the session."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """The login page names the agency whose assessment this is (one query)."""
        context = super().get_context_data(**kwargs)
        branches = list(Organization.objects.filter(is_headquarters=False)[:2])
        context["agency"] = branches[0] if len(branches) == 1 else None
        return context

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        membership = membership_of(form.get_user())
        if membership is not None and membership.language in LANGUAGE_CODES:
            _set_cookie(response, membership.language)
        return response


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch (cookie, safe redirect), and for members also saved on the
    membership so that the next login anywhere starts in the same language."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    membership = membership_of(request.user)
    # A membership belongs to an account, never to an anonymous visitor.
    if membership is not None and language in LANGUAGE_CODES and isinstance(request.user, User):
        remember_language(membership=membership, language=language, user=request.user)
    return response

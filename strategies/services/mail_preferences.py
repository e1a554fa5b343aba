"""A member's own mail settings."""

from django.db import transaction

from strategies.auth import User
from strategies.models import MailPreference


def reminder_mail_on(user: User) -> bool:
    """Whether the user gets reminder mail (on unless they turned it off). One query."""
    return not MailPreference.objects.filter(user=user, reminders=False).exists()


def set_reminder_mail(*, user: User, enabled: bool) -> MailPreference:
    """Turn the user's reminder mail on or off (their own choice, from the settings page)."""
    with transaction.atomic():
        preference, _created = MailPreference.objects.select_for_update().get_or_create(user=user)
        preference.reminders = enabled
        preference.full_clean()
        preference.save()
    return preference

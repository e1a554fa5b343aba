from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategiesConfig(AppConfig):
    name = "strategies"
    verbose_name = _("計畫與填報")

    def ready(self) -> None:
        from django.db.models import fields

        from strategies import tallies

        tallies.connect()

        # Django 6.1's blank choice ("- Select an option -") has no Traditional Chinese yet:
        # the interface's own words, translated back to Django's in English.
        fields.BLANK_CHOICE_LABEL = _("－ 請選擇 －")

        # Registers the named access rules with django-rules.
        from strategies import access  # noqa: F401

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "perfreport.reports"
    label = "reports"
    verbose_name = _("年度報告")

    def ready(self) -> None:
        # Connects the sign-in receiver of the session refresh (perfreport/session_refresh.py).
        from perfreport import session_refresh  # noqa: F401

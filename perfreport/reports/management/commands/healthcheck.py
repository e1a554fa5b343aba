"""`python manage.py healthcheck`: database, media folder, task worker, signing key.

Prints one line per check and exits non-zero naming what is wrong (for monitoring and for
systemd's ExecStartPost / a cron job that mails on failure)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from perfreport.checks import run_checks


class Command(BaseCommand):
    help = "Check the database, the media folder, the task worker's heartbeat and the signing key."

    def handle(self, *args: Any, **options: Any) -> None:
        checks = run_checks()
        for check in checks:
            self.stdout.write(check.line())
        failed = [check.name for check in checks if not check.ok]
        if failed:
            raise CommandError("unhealthy: " + ", ".join(failed), returncode=1)

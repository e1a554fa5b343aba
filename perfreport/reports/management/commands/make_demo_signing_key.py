"""python manage.py make_demo_signing_key: a self-signed signing certificate for development,
written once to settings.SIGNING_PKCS12 (an existing file is kept: the command is idempotent)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from perfreport.reports.demo_key import write_self_signed_pkcs12
from perfreport.reports.signing import SigningKeyError, signer_name


class Command(BaseCommand):
    help = "Create a self-signed demo signing certificate (PKCS#12) at SIGNING_PKCS12, once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", default="經濟部標準檢驗局高雄分局")

    def handle(self, *args: Any, organization: str, **options: Any) -> None:
        if not settings.SIGNING_PKCS12:
            raise CommandError("SIGNING_PKCS12 is not set: name the PKCS#12 file to create.")
        path = Path(settings.SIGNING_PKCS12)
        if path.exists():
            self.stdout.write(f"signing key already there: {path}")
        else:
            write_self_signed_pkcs12(
                path, passphrase=settings.SIGNING_PKCS12_PASSPHRASE, organization=organization
            )
            self.stdout.write(f"self-signed demo signing key written: {path}")
        try:
            self.stdout.write(f"signer: {signer_name()}")
        except SigningKeyError as exc:
            raise CommandError(exc.message) from None

"""make_demo_signing_key writes a self-signed certificate once, readable by its owner only, and
keeps an existing one; a missing setting is a clear error."""

import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from perfreport.reports import signing


def test_made_once_then_kept(settings, tmp_path, capsys):
    path = tmp_path / "var" / "signing" / "demo.p12"
    settings.SIGNING_PKCS12, settings.SIGNING_PKCS12_PASSPHRASE = str(path), "demo-pass"

    call_command("make_demo_signing_key")
    first = path.read_bytes()
    call_command("make_demo_signing_key")

    out = capsys.readouterr().out
    assert "self-signed demo signing key written" in out
    assert "signing key already there" in out
    assert "signer: 經濟部標準檢驗局高雄分局（示範簽章）" in out
    assert path.read_bytes() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert signing.signer_name() == "經濟部標準檢驗局高雄分局（示範簽章）"


def test_without_the_setting_it_says_what_to_set(settings):
    settings.SIGNING_PKCS12 = ""
    with pytest.raises(CommandError, match="SIGNING_PKCS12 is not set"):
        call_command("make_demo_signing_key")
    with pytest.raises(signing.SigningKeyError, match="尚未設定簽章憑證"):
        signing.check_signing_key()

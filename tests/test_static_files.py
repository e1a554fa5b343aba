"""Static files in production: collected by WhiteNoise's compressed manifest storage, referenced
by hashed names in the pages, served with a far-future cache header.

The collection runs into a temporary STATIC_ROOT with the production storage; a subprocess
shows that the production environment really selects that storage.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse


def drain(response) -> None:  # type: ignore[no-untyped-def]
    """Read a streamed response to its end, so the test client closes its file.

    Never call response.close() in a test: it sends request_finished with Django's
    close_old_connections attached, which closes the PostgreSQL connection mid-test.
    """
    if response.streaming:
        b"".join(response.streaming_content)


ROOT = Path(__file__).resolve().parents[1]
PRODUCTION_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates"), *ROOT.glob("*/*/templates")]
STATIC_TAG = re.compile(r"""\{%\s*static\s+['"]([^'"]+)['"]""")
HASHED = re.compile(r"/static/(?P<name>[\w/.-]+)\.(?P<hash>[0-9a-f]{12})\.(?P<ext>css|js)\b")


def test_production_environment_selects_the_compressed_manifest_storage():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "PERFREPORT_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(DEBUG="false", SECRET_KEY="s" * 50, DJANGO_SETTINGS_MODULE="perfreport.settings")
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.STORAGES['staticfiles']['BACKEND'], s.WHITENOISE_USE_FINDERS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [PRODUCTION_STORAGE, "False"]


def _production_static(root: Path) -> override_settings:
    return override_settings(
        STATIC_ROOT=root,
        STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}},
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
        DEBUG=False,
    )


@pytest.fixture(scope="module")
def collected_root(tmp_path_factory):
    """collectstatic with the production storage into a temporary STATIC_ROOT (once)."""
    root = tmp_path_factory.mktemp("static") / "staticfiles"
    with _production_static(root):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def collected(collected_root):
    with _production_static(collected_root):
        yield collected_root


def _manifest(root: Path) -> dict[str, str]:
    return json.loads((root / "staticfiles.json").read_text())["paths"]


def test_every_static_file_a_template_names_is_in_the_manifest(collected):
    # With the manifest storage a missing file is a 500 in production, so check them all.
    referenced = {
        match
        for directory in TEMPLATE_DIRS
        for template in directory.rglob("*.html")
        for match in STATIC_TAG.findall(template.read_text(encoding="utf-8"))
    }
    assert "css/app.css" in referenced
    manifest = _manifest(collected)
    assert sorted(referenced - manifest.keys()) == []
    for name in referenced:
        hashed = collected / manifest[name]
        assert hashed.exists()
        assert Path(f"{hashed}.gz").exists(), f"{name} is not precompressed"


@pytest.mark.django_db
def test_pages_reference_hashed_names_that_whitenoise_serves(collected, staff_a):
    client = Client()
    login_page = client.get(reverse("login")).content.decode()
    client.force_login(staff_a)
    my_work = client.get(reverse("strategies:my-work")).content.decode()

    manifest = _manifest(collected)
    for html in (login_page, my_work):
        assert "/static/css/app.css" not in html
        refs = [m.group(0) for m in HASHED.finditer(html)]
        assert any(r.startswith("/static/css/app.") for r in refs), html[:500]

    app_css = f"/static/{manifest['css/app.css']}"
    assert app_css in login_page
    response = Client().get(app_css, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "immutable" in response["Cache-Control"]
    assert "max-age=315360000" in response["Cache-Control"]
    drain(response)
    # The unhashed name is not served from STATIC_ROOT with a long cache: only hashed ones.
    plain = Client().get("/static/css/app.css")
    assert "immutable" not in plain.get("Cache-Control", "")
    drain(plain)

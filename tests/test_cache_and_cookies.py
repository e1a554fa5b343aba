"""What a signed-in person sees is never stored by a browser or proxy cache (every page and
download: the permission matrix checks each one), static files keep their caching, and the
language cookie is as strict as the session cookie."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from strategies.models import Evidence
from tests import evidence_samples as samples
from tests.conftest import login
from tests.test_evidence_upload import upload
from tests.test_permission_matrix import drain
from tests.test_production_settings import PRODUCTION_ENV, run_manage

pytestmark = pytest.mark.django_db


def test_a_signed_in_page_is_not_stored(client, staff_a, year):
    login(client, staff_a)
    response = client.get(reverse("home"))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_an_evidence_download_is_not_stored(client, item, unit_a, staff_a):
    login(client, staff_a)
    upload(client, item, unit_a, SimpleUploadedFile("簽到表.pdf", samples.PDF))
    evidence = Evidence.objects.get()
    response = client.get(reverse("strategies:evidence-download", args=[evidence.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    drain(response)


def test_static_files_keep_their_caching_for_signed_in_people(client, staff_a):
    login(client, staff_a)
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    drain(response)


def test_the_language_cookie_is_same_site_and_hidden_from_scripts(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    cookie = response.cookies["django_language"]
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"] is True


def test_in_production_the_language_cookie_is_secure_like_the_session_cookie():
    code = (
        "from django.conf import settings as s; "
        "print(s.LANGUAGE_COOKIE_SECURE, s.SESSION_COOKIE_SECURE, s.LANGUAGE_COOKIE_SAMESITE, "
        "s.LANGUAGE_COOKIE_HTTPONLY)"
    )
    result = run_manage("shell", "-v", "0", "-c", code, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "Lax", "True"]

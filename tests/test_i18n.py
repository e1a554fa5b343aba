"""Traditional Chinese by default, English per user and remembered; every string translated."""

import datetime as dt
import re
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.template import Context, Template
from django.utils import translation

from strategies.deadlines import TAIPEI
from tests.conftest import login
from tests.factories import PASSWORD

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
COOKIE = settings.LANGUAGE_COOKIE_NAME


def po_entries() -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) of every entry of the English catalog (a small .po reader)."""
    text = PO.read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):
        if "msgid" not in block or block.lstrip().startswith("#~"):
            continue
        fuzzy = "#, fuzzy" in block or ", fuzzy" in block
        parts: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if m:
                key = m.group(1)
                parts[key] = m.group(2)
            elif line.startswith('"') and key:
                parts[key] += line[1:-1]
        msgid = parts.get("msgid", "")
        if not msgid:
            continue  # the header
        msgstr = parts.get("msgstr", "") or " ".join(
            v for k, v in parts.items() if k.startswith("msgstr[")
        )
        entries.append((msgid, msgstr, fuzzy))
    return entries


def test_every_string_of_the_interface_has_an_english_translation():
    entries = po_entries()
    assert len(entries) > 400
    untranslated = [msgid for msgid, msgstr, fuzzy in entries if not msgstr.strip() or fuzzy]
    assert untranslated == []


def test_translations_keep_their_placeholders():
    for msgid, msgstr, _fuzzy in po_entries():
        wanted = sorted(re.findall(r"%\(\w+\)s", msgid))
        assert sorted(set(re.findall(r"%\(\w+\)s", msgstr))) == sorted(set(wanted)), msgid


def test_compiled_catalogs_are_built_not_committed():
    ignored = (Path(settings.BASE_DIR) / ".gitignore").read_text()
    assert "*.mo" in ignored.splitlines()
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    assert "compilemessages" in makefile


def render(source: str, **context) -> str:
    return Template("{% load roc %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "year", "month"),
    [("zh-hant", "112", "113.1"), ("en", "112 (2023)", "113.1 (Jan 2024)")],
)
def test_roc_years_with_the_gregorian_year_in_english(language, year, month):
    with translation.override(language):
        assert render("{{ y|roc_year }}", y=112) == year
        assert render("{{ y|roc_month:m }}", y=113, m=1) == month


@pytest.mark.django_db
class TestPerUserLanguage:
    def test_chinese_by_default(self, client, staff_a, year):
        html = login(client, staff_a).get("/").content.decode()
        assert 'lang="zh-Hant-TW"' in html
        assert "首頁" in html

    def test_switching_to_english_is_remembered_on_the_membership(self, client, staff_a, year):
        login(client, staff_a)
        response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        assert response.status_code == 302
        assert response.cookies[COOKIE].value == "en"
        staff_a.membership.refresh_from_db()
        assert staff_a.membership.language == "en"
        html = client.get("/").content.decode()
        assert 'lang="en"' in html
        assert "113 (2024)" in html
        assert "The year at a glance" in html

    def test_the_language_comes_back_at_the_next_login(self, client, staff_a, year):
        staff_a.membership.language = "en"
        staff_a.membership.save()
        response = client.post("/login/", {"username": "staff_a", "password": PASSWORD})
        assert response.status_code == 302
        assert response.cookies[COOKIE].value == "en"
        assert "Sign out" in client.get("/").content.decode()

    def test_an_unknown_language_changes_nothing(self, client, staff_a, year):
        login(client, staff_a)
        client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
        staff_a.membership.refresh_from_db()
        assert staff_a.membership.language == "zh-hant"
        assert "首頁" in client.get("/").content.decode()

    def test_anonymous_visitors_switch_for_the_browser_only(self, client):
        response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
        assert response.cookies[COOKIE].value == "en"
        assert "Sign in" in client.get("/login/").content.decode()

    def test_the_switch_never_redirects_off_site(self, client, staff_a, year):
        login(client, staff_a)
        response = client.post(
            "/i18n/setlang/", {"language": "en", "next": "https://evil.example/"}
        )
        assert response.status_code == 302
        assert not response["Location"].startswith("https://evil.example")

    def test_the_switch_is_post_only_and_needs_csrf(self, staff_a):
        from django.test import Client

        strict = Client(enforce_csrf_checks=True)
        strict.force_login(staff_a)
        assert strict.get("/i18n/setlang/").status_code == 405
        assert strict.post("/i18n/setlang/", {"language": "en"}).status_code == 403
        staff_a.membership.refresh_from_db()
        assert staff_a.membership.language == "zh-hant"

    def test_reminders_go_out_in_the_members_language(self, staff_a, item, settings):
        staff_a.email = "staff_a@example.gov.tw"
        staff_a.save()
        staff_a.membership.language = "en"
        staff_a.membership.save()
        with time_machine.travel(dt.datetime(2024, 2, 7, 8, tzinfo=TAIPEI), tick=False):
            call_command("send_reminders", stdout=StringIO(), stderr=StringIO())
        (message,) = mail.outbox
        assert "Reminder" in message.subject
        assert "Due soon: entries due within 3 days" in message.body

"""Every page each demo role can reach, crawled in both languages: no English words left in the
Chinese interface ("- Select an option -"), no Chinese interface text or glued words in the
English one ("1month", "（0 / 4000 字）").

Data is not the interface: words that occur in the demo data (the 112 report, the demo users)
are allowed in either language; so are the few names that have no translation (file formats,
the language switch's own "English").
"""

import datetime as dt
import json
import re
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from strategies.deadlines import TAIPEI
from tests.conftest import login

ROLES = ["metrology-staff", "metrology-head", "auditor", "admin"]
MAX_PAGES = 70
# Names kept as they are in Chinese text: file formats, standards, the language switch.
ALLOWED_ASCII = {
    "PDF", "Excel", "ODF", "ODS", "JSON", "HTML", "XLSX", "xlsx", "CSV", "SHA", "English",
    "ID", "OK", "Email", "email", "SVG", "ROC", "KB", "MB", "CSRF", "pdf", "ods", "json", "html",
    "DOCX", "JPG", "ODT", "PNG", "Word",
}  # fmt: skip
SKIP_PREFIXES = ("/admin/", "/logout/", "/i18n/", "/static/", "/media/")
CJK_RUN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]+")
CJK_PUNCTUATION = re.compile(r"[\u3000-\u303f\uff00-\uffef]+")
# Full-width brackets around Latin text: "（0 / 4000 字）", "（Open for entry）". The full-width
# separators (｜：，) between a Chinese name and an English word are not flagged.
TOUCHING = re.compile(r".{0,3}(?:[（【「][A-Za-z0-9]|[A-Za-z0-9][）】」]).{0,3}")
GLUED = re.compile(r"(?<![\w.])\d+[A-Za-z]{3,}")
# Chinese that stays in English: the language switch's own name, the plan's numbering (一(二)).
ALLOWED_CJK = {"繁體中文", *"一二三四五六七八九十"}


def _fixture_text() -> str:
    parts = []
    for name in ("khh_112.json", "demo_users.json"):
        for obj in json.loads((Path(settings.BASE_DIR) / "fixtures" / name).read_text("utf-8")):
            parts.extend(str(v) for v in obj["fields"].values())
    return "\n".join(parts)


class _Text(HTMLParser):
    """Visible text and the attributes people read (labels, placeholders), and the links."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            if name in {"aria-label", "placeholder", "title", "alt"} and value:
                self.chunks.append(value)
            if tag == "a" and name == "href" and value:
                self.links.append(value)

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag in {"script", "style"}:
            self._skip -= 1

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if not self._skip and data.strip():
            self.chunks.append(data.strip())


def _shape(target: str) -> str:
    """/items/48/units/2/months/1/?page=2 -> /items/N/units/N/months/N/: one page of each kind."""
    return re.sub(r"\d+", "N", target.split("?")[0])


def crawl(client) -> dict[str, _Text]:
    """Follow the site's own links from the home page (GET only), one page of each URL shape, up
    to MAX_PAGES HTML pages."""
    seen: dict[str, _Text] = {}
    shapes: set[str] = set()
    queue = ["/"]
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            seen[path] = _Text()
            continue
        parser = _Text()
        parser.feed(response.content.decode())
        seen[path] = parser
        for href in parser.links:
            href = urldefrag(href)[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if parts.path.startswith(SKIP_PREFIXES) or "/download" in parts.path:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if _shape(target) not in shapes:
                shapes.add(_shape(target))
                queue.append(target)
    return seen


def english_words_in_chinese(text: str, data: str) -> list[str]:
    words = re.findall(r"[A-Za-z][A-Za-z'-]+", text)
    return [w for w in words if w not in ALLOWED_ASCII and w not in data]


def chinese_in_english(text: str, data: str) -> list[str]:
    """Chinese words that are not data, punctuation glued to Latin text, glued words."""
    found = [
        piece
        for run in CJK_RUN.findall(text)
        for piece in CJK_PUNCTUATION.split(run)
        if piece and piece not in data and piece not in ALLOWED_CJK
    ]
    found += [m for m in TOUCHING.findall(text) if m.strip() not in data]
    return found + GLUED.findall(text)


def _report(problems: dict[str, list[str]]) -> None:
    """Print every offending page in full: pytest's diff of a large dict is truncated."""
    for path, found in problems.items():
        print(path, found)


@pytest.fixture
def demo_site(seed):
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=TAIPEI), tick=False):
        call_command(
            "copy_year", "--org", "khh", "--from", "112", "--to", "current", "--open",
            stdout=StringIO(),
        )  # fmt: skip
        yield


@pytest.mark.django_db
@pytest.mark.parametrize("username", ROLES)
def test_no_english_left_in_the_chinese_interface(client, demo_site, username):
    login(client, get_user_model().objects.get(username=username))
    data = _fixture_text()
    pages = crawl(client)
    assert len(pages) >= 5
    problems = {
        path: sorted(set(found))
        for path, page in pages.items()
        if (found := english_words_in_chinese("\n".join(page.chunks), data))
    }
    _report(problems)
    assert problems == {}


@pytest.mark.django_db
@pytest.mark.parametrize("username", ROLES)
def test_no_chinese_or_glued_words_in_the_english_interface(client, demo_site, username):
    user = get_user_model().objects.get(username=username)
    user.membership.language = "en"
    user.membership.save()
    login(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = _fixture_text()
    pages = crawl(client)
    assert len(pages) >= 5
    problems = {}
    for path, page in pages.items():
        if found := chinese_in_english("\n".join(page.chunks), data):
            problems[path] = sorted(set(found))
    _report(problems)
    assert problems == {}

"""Playwright against Debian's Chromium and pytest-django's live server."""

import gc
import os
import shutil
import warnings

import pytest
from django.core.management import call_command

from strategies.models import Item, Unit, Year

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": shutil.which("chromium") or "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def base_url():
    # pytest-base-url's own fixture trips pytest 9's deprecation warning (an error here).
    return None


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """The live server starts after the test database exists, so its thread never opens a
    connection to the wrong database (and leaves no unclosed connection behind)."""
    return live_server


@pytest.fixture
def shots(tmp_path):
    """Save a numbered screenshot of the page under the test's tmp dir; returns the path."""
    folder = tmp_path / "screenshots"
    folder.mkdir()
    counter = iter(range(1, 1000))

    def take(page, name: str):
        path = folder / f"{next(counter):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login_as(live_server):
    """Log a user in through the real login form."""

    def do(page, username: str, password: str):
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()

    return do


@pytest.fixture(autouse=True)
def _collect_live_server_connections():
    """Slow requests (the demo users' PBKDF2 logins) can leave the live server thread's SQLite
    connection for the garbage collector; collect it here, quietly, not in a later test."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


@pytest.fixture
def demo(transactional_db):
    """The demo data as `make run` loads it: the 112 report, the demo users and 113 copied from
    112 and open for entry. Returns (year 113, 度量衡科, the first item 度量衡科 hosts)."""
    call_command("loaddata", "khh_112", "demo_users", verbosity=0)
    call_command("copy_year", "--org", "khh", "--from", "112", "--to", "113", "--open", verbosity=0)
    year = Year.objects.get(organization__code="khh", roc_year=113)
    metrology = Unit.objects.get(organization__code="khh", name="度量衡科")
    item = (
        Item.objects.filter(method__strategy__dimension__year=year, host_units=metrology)
        .order_by(
            "method__strategy__dimension__number",
            "method__strategy__order",
            "method__order",
            "order",
        )
        .first()
    )
    return year, metrology, item

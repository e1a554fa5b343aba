"""Playwright against Debian's Chromium and pytest-django's live server."""

import os
import shutil

import pytest

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

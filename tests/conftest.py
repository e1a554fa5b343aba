"""The cast: staff of unit A, staff of unit B, head of unit A, auditor, admin, outsider, HQ.

Each test gets a small organization (khh) with two units and an open year 113 holding one item
hosted by unit A. Tests that pin the seed load the khh_112 fixture instead.
"""

import os

import pytest
from django.core.management import call_command
from django.utils import translation

from strategies.models import Membership, Unit
from tests import factories

Role = Membership.Role


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language():
    """A request in English leaves English active in the thread: each test starts in Chinese."""
    translation.deactivate()
    yield
    translation.deactivate()


SIGNING_PASSPHRASE = "test-signing-passphrase"


@pytest.fixture(scope="session")
def signing_pkcs12(tmp_path_factory):
    """A self-signed signing certificate made once for the test run, in a temporary folder."""
    from perfreport.reports.demo_key import write_self_signed_pkcs12

    path = tmp_path_factory.mktemp("signing") / "test-signing.p12"
    write_self_signed_pkcs12(path, passphrase=SIGNING_PASSPHRASE, organization="測試機關")
    return path


@pytest.fixture
def quick_pdf(monkeypatch):
    """The PDF of a one-line document that still follows the data (a digest of the report's
    HTML): WeasyPrint, PDF/A, metadata and the signature stay real, in a fraction of the time."""
    import hashlib

    def small_document(data):
        from perfreport.reports.exporters.html import render_document as full

        digest = hashlib.sha256(full(data).encode()).hexdigest()
        return (
            f'<html lang="zh-Hant-TW"><head><title>{data.title}</title></head>'
            f"<body><p>{data.issue_label}</p><p>{digest}</p></body></html>"
        )

    monkeypatch.setattr("perfreport.reports.exporters.pdf.render_document", small_document)


def stored_bytes(report) -> bytes:
    """An issued file's bytes, as stored on disk."""
    with report.file.open("rb") as handle:
        return handle.read()


@pytest.fixture(autouse=True)
def _signing_key(settings, signing_pkcs12):
    settings.SIGNING_PKCS12 = str(signing_pkcs12)
    settings.SIGNING_PKCS12_PASSPHRASE = SIGNING_PASSPHRASE


@pytest.fixture
def hq(db):
    return factories.make_org("bsmi", "經濟部標準檢驗局", short_name="總局", is_headquarters=True)


@pytest.fixture
def org(hq):
    return factories.make_org("khh", "經濟部標準檢驗局高雄分局", short_name="高雄分局", parent=hq)


@pytest.fixture
def other_org(hq):
    return factories.make_org("tpe", "經濟部標準檢驗局臺北分局", short_name="臺北分局", parent=hq)


@pytest.fixture
def unit_a(org):
    return factories.make_unit(org, "度量衡科", order=2)


@pytest.fixture
def unit_b(org):
    return factories.make_unit(org, "秘書室", Unit.Kind.SECRETARIAT, order=1)


@pytest.fixture
def year(org):
    return factories.make_year(org, 113)


@pytest.fixture
def item(year, unit_a):
    return factories.make_item(year, hosts=[unit_a])


@pytest.fixture
def staff_a(org, unit_a):
    return factories.make_user("staff_a", org, Role.STAFF, unit_a, first_name="度量衡科承辦人")


@pytest.fixture
def staff_b(org, unit_b):
    return factories.make_user("staff_b", org, Role.STAFF, unit_b, first_name="秘書室承辦人")


@pytest.fixture
def head_a(org, unit_a):
    return factories.make_user("head_a", org, Role.HEAD, unit_a, first_name="度量衡科科長")


@pytest.fixture
def auditor(org):
    return factories.make_user("auditor", org, Role.AUDITOR, first_name="考核人員")


@pytest.fixture
def admin_user(org):
    return factories.make_user(
        "admin_user", org, Role.ADMIN, first_name="管理者", is_staff=True, is_superuser=True
    )


@pytest.fixture
def outsider(other_org):
    """A member of another branch: every khh page is a 404 for them."""
    unit = factories.make_unit(other_org, "度量衡科")
    return factories.make_user("outsider", other_org, Role.STAFF, unit)


@pytest.fixture
def hq_auditor(hq):
    return factories.make_user("hq_auditor", hq, Role.AUDITOR)


@pytest.fixture
def seed(db):
    """The 112 Kaohsiung report and the demo users, as `make run` loads them."""
    call_command("loaddata", "khh_112", "demo_users", verbosity=0)


def login(client, user):
    client.force_login(user)
    return client


# --- real servers started by the tests (slapd; see tests/ldap_server.py) ---------------------

REAL_SERVER_MISSING = "REAL SERVER MISSING"


def real_server_unavailable(what: str, why: str) -> None:
    """Skip loudly where a real server cannot run here; under CI=true, fail instead."""
    message = f"{REAL_SERVER_MISSING}: {what} NOT tested against a real server: {why}"
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture
def slapd():
    """A fresh OpenLDAP server with the test directory, on a free loopback port."""
    from tests.ldap_server import SlapdUnavailable, start_slapd

    try:
        server = start_slapd()
    except SlapdUnavailable as error:
        real_server_unavailable("directory sign-in (LDAP)", str(error))
    yield server
    server.stop()


@pytest.fixture
def slapd_tls(tmp_path):
    """The same directory behind STARTTLS, with a certificate from a throw-away CA."""
    from tests.certs import make_server_cert
    from tests.ldap_server import SlapdUnavailable, start_slapd

    cert = make_server_cert(tmp_path)
    try:
        server = start_slapd(tls=cert)
    except SlapdUnavailable as error:
        real_server_unavailable("directory sign-in over STARTTLS", str(error))
    yield server
    server.stop()


def pytest_terminal_summary(terminalreporter):  # type: ignore[no-untyped-def]
    reasons = {
        str(report.longrepr[-1])
        for report in terminalreporter.stats.get("skipped", [])
        if isinstance(report.longrepr, tuple) and REAL_SERVER_MISSING in str(report.longrepr[-1])
    }
    for reason in sorted(reasons):
        terminalreporter.write_line("!" * 78, red=True, bold=True)
        terminalreporter.write_line(reason, red=True, bold=True)
    if reasons:
        terminalreporter.write_line("!" * 78, red=True, bold=True)

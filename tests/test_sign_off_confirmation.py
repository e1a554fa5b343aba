"""Sign-off goes through a confirmation page that says exactly what will happen; the issuing
runs in the task worker while the page follows it; a broken signing key refuses the sign-off
before anything changes; a failed issuing can be run again."""

import pytest

from perfreport.reports.exporters import EXPORTERS
from perfreport.reports.models import IssuedReport, IssuedVersion
from scoring import services
from scoring.models import ScoreSheet
from strategies.models import Year
from tests.conftest import login

SEED = {1: "184", 2: "284", 3: "182", 4: "186", 5: "84"}
SIGN_OFF = "/reports/khh/113/sign-off/"
pytestmark = pytest.mark.usefixtures("quick_pdf")


@pytest.fixture
def reviewed(year, auditor, unit_a, unit_b):
    services.save_scores(year=year, round="review", scores=SEED, user=auditor)
    return year


def test_the_page_says_what_will_happen(client, reviewed, auditor):
    page = login(client, auditor).get(SIGN_OFF).content.decode()

    assert "鎖定 113 年度：所有單位（2 個）的每月填報、分數與等第區間都不能再修改" in page
    assert "複評分數與評語（總分 920，等第 優）成為正式結果，本機關所有人員都看得到。" in page
    labels = "、".join(e.label for e in EXPORTERS.values())
    assert f"發布第 1 版報告，共 {len(EXPORTERS)} 種格式（{labels}），在背景產生" in page
    assert "PDF 以「測試機關（示範簽章）」的憑證數位簽章" in page
    assert "已符合：五個構面都有複評分數" in page
    assert 'class="danger" id="confirm-button"' in page
    assert "確認完成複評、鎖定 113 年度並發布第 1 版" in page
    reviewed.refresh_from_db()
    assert reviewed.status == Year.Status.OPEN  # showing the page changes nothing


def test_a_post_without_confirmation_only_shows_the_page(client, reviewed, auditor):
    response = login(client, auditor).post(SIGN_OFF)
    assert response.status_code == 200
    assert 'id="confirm-button"' in response.content.decode()
    reviewed.refresh_from_db()
    assert reviewed.status == Year.Status.OPEN
    assert not IssuedVersion.objects.exists()


def test_an_incomplete_review_cannot_be_confirmed(client, year, auditor, admin_user):
    services.save_scores(year=year, round="self", scores=SEED, user=admin_user)
    page = login(client, auditor).get(SIGN_OFF).content.decode()
    assert "未符合：五個構面都有複評分數（已評 0 個構面）" in page
    assert 'id="confirm-button"' not in page


def test_the_year_locks_at_once_and_the_worker_issues_the_report(
    client, reviewed, auditor, django_capture_on_commit_callbacks
):
    login(client, auditor)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(SIGN_OFF, {"confirmed": "1"})

    version = IssuedVersion.objects.get(year=reviewed)
    assert response["Location"] == f"/reports/khh/113/versions/{version.pk}/"
    reviewed.refresh_from_db()
    assert reviewed.status == Year.Status.LOCKED  # in the request
    assert version.status == IssuedVersion.Status.QUEUED and len(queued) == 1
    waiting = client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in waiting
    assert "排隊中" in waiting

    queued[0]()  # the worker picks the task up

    done = client.get(response["Location"]).content.decode()
    assert "報告已發布" in done and 'http-equiv="refresh"' not in done
    for report in IssuedReport.objects.filter(year=reviewed, version=1):
        assert f"/reports/khh/113/issued/{report.pk}/" in done
        assert report.filename in done


def test_a_broken_signing_key_refuses_the_sign_off_and_changes_nothing(
    client, reviewed, auditor, settings, tmp_path
):
    settings.SIGNING_PKCS12 = str(tmp_path / "missing.p12")
    login(client, auditor)
    page = client.get(SIGN_OFF).content.decode()
    assert "未符合：簽章憑證可用（找不到簽章憑證" in page

    response = client.post(SIGN_OFF, {"confirmed": "1"}, follow=True)

    assert "找不到簽章憑證" in response.content.decode()
    reviewed.refresh_from_db()
    assert reviewed.status == Year.Status.OPEN
    assert ScoreSheet.objects.get(year=reviewed).signed_off_at is None
    assert not IssuedVersion.objects.exists()


def test_a_wrong_passphrase_is_named(client, reviewed, auditor, settings):
    settings.SIGNING_PKCS12_PASSPHRASE = "wrong"
    page = login(client, auditor).get(SIGN_OFF).content.decode()
    assert "未符合：簽章憑證可用（無法讀取簽章憑證" in page


def test_a_failed_issuing_is_shown_and_run_again(
    client, reviewed, auditor, admin_user, monkeypatch, django_capture_on_commit_callbacks
):
    from perfreport.reports.exporters.xlsx import XlsxExporter

    original = XlsxExporter.render_bytes

    def broken(self, data):
        raise RuntimeError("暫存空間不足")

    monkeypatch.setattr(XlsxExporter, "render_bytes", broken)
    login(client, auditor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGN_OFF, {"confirmed": "1"})
    version = IssuedVersion.objects.get(year=reviewed)
    assert version.status == IssuedVersion.Status.FAILED
    page = client.get(response["Location"]).content.decode()
    assert "暫存空間不足" in page and 'id="issue-retry"' in page
    # The admin follows the progress but does not run the issuing again.
    assert 'id="issue-retry"' not in login(client, admin_user).get(response["Location"]).text
    assert client.post(f"{response['Location']}retry/").status_code == 403

    monkeypatch.setattr(XlsxExporter, "render_bytes", original)
    login(client, auditor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{response['Location']}retry/")

    version.refresh_from_db()
    assert version.status == IssuedVersion.Status.DONE
    assert IssuedReport.objects.filter(year=reviewed, version=1).count() == len(EXPORTERS)

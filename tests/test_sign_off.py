"""Signing off the review: all five review scores, then (after a confirmation page) the year is
locked and the report issued; only the admin reopens, with a reason that is recorded."""

import pytest

from perfreport.reports.exporters import EXPORTERS
from perfreport.reports.models import IssuedReport
from scoring import services
from scoring.models import DimensionScore, ScoreSheet
from strategies import year_lifecycle
from strategies.errors import DomainError
from strategies.models import Year
from tests.conftest import login

SEED = {1: "184", 2: "284", 3: "182", 4: "186", 5: "84"}
SIGN_OFF = "/reports/khh/113/sign-off/"
REOPEN = "/scoring/khh/113/reopen/"


def test_sign_off_needs_every_review_score(year, admin_user, auditor):
    services.save_scores(year=year, round="self", scores=SEED, user=admin_user)
    with pytest.raises(DomainError, match="構面一（基礎服務）、構面二（服務遞送）"):
        services.sign_off_review(year=year, user=auditor)
    year.refresh_from_db()
    assert year.status == Year.Status.OPEN
    assert ScoreSheet.objects.get(year=year).signed_off_at is None


def test_sign_off_locks_the_year_and_records_who(year, auditor):
    services.save_scores(year=year, round="review", scores=SEED, user=auditor)

    sheet = services.sign_off_review(year=year, user=auditor)

    year.refresh_from_db()
    sheet.refresh_from_db()
    assert year.status == Year.Status.LOCKED
    assert not year_lifecycle.takes_entries(year.status)  # the entry forms refuse changes
    assert sheet.signed_off_by == auditor and sheet.signed_off_at is not None
    assert year.history.first().history_change_reason == "完成複評，年度鎖定"
    with pytest.raises(DomainError, match="鎖定"):
        services.save_scores(year=year, round="review", scores={**SEED, 5: "80"}, user=auditor)
    with pytest.raises(DomainError, match="鎖定"):
        services.sign_off_review(year=year, user=auditor)


def test_the_auditor_signs_off_on_the_page_and_the_report_is_issued(
    client, year, auditor, django_capture_on_commit_callbacks
):
    services.save_scores(year=year, round="review", scores=SEED, user=auditor)
    login(client, auditor)
    page = client.get("/scoring/khh/113/").content.decode()
    assert f'href="{SIGN_OFF}"' in page  # to the confirmation page, not a one-click POST

    with django_capture_on_commit_callbacks(execute=True):  # the worker runs the issuing
        response = client.post(SIGN_OFF, {"confirmed": "1"})

    page = client.get(response["Location"]).content.decode()
    assert "已完成複評：本年度已鎖定，第 1 版報告正在產生。" in page
    assert "報告已發布" in page
    year.refresh_from_db()
    assert year.status == Year.Status.LOCKED
    assert IssuedReport.objects.filter(year=year, version=1).count() == len(EXPORTERS)
    sheet_page = client.get("/scoring/khh/113/").content.decode()
    assert 'id="year-status">已鎖定<' in sheet_page
    assert "完成複評並鎖定年度" not in sheet_page


def test_an_incomplete_review_is_not_signed_off_on_the_page(client, year, auditor, admin_user):
    services.save_scores(year=year, round="self", scores=SEED, user=admin_user)
    response = login(client, auditor).post(SIGN_OFF, {"confirmed": "1"}, follow=True)
    assert "複評尚未完成" in response.content.decode()
    year.refresh_from_db()
    assert year.status == Year.Status.OPEN
    assert not IssuedReport.objects.filter(year=year).exists()


@pytest.mark.parametrize(
    ("who", "status"), [("admin_user", 403), ("staff_a", 403), ("head_a", 403), ("outsider", 404)]
)
def test_only_auditors_sign_off(client, year, auditor, who, status, request):
    services.save_scores(year=year, round="review", scores=SEED, user=auditor)
    response = login(client, request.getfixturevalue(who)).post(SIGN_OFF, {"confirmed": "1"})
    assert response.status_code == status
    year.refresh_from_db()
    assert year.status == Year.Status.OPEN


def test_sign_off_needs_login(client, year):
    assert client.post(SIGN_OFF, {"confirmed": "1"}).status_code == 302
    assert client.get(SIGN_OFF).status_code == 302
    year.refresh_from_db()
    assert year.status == Year.Status.OPEN


def test_the_admin_reopens_with_a_reason_and_the_sign_off_is_withdrawn(
    client, year, auditor, admin_user
):
    services.save_scores(year=year, round="review", scores=SEED, user=auditor)
    services.sign_off_review(year=year, user=auditor)
    login(client, admin_user)

    refused = client.post(REOPEN, {"reason": "  ", "status": "open"})
    assert refused.status_code == 400
    year.refresh_from_db()
    assert year.status == Year.Status.LOCKED

    response = client.post(REOPEN, {"reason": "總局退回重評", "status": "closed"}, follow=True)

    assert "已重新開放本年度，原因已記錄。" in response.content.decode()
    year.refresh_from_db()
    assert year.status == Year.Status.CLOSED
    assert year.history.first().history_change_reason == "總局退回重評"
    assert year.history.first().history_user == admin_user
    sheet = ScoreSheet.objects.get(year=year)
    assert sheet.signed_off_at is None
    assert sheet.history.first().history_change_reason == "撤銷複評完成：總局退回重評"
    # the sheet shows the sign-off and the reopening with its reason
    page = client.get("/scoring/khh/113/").content.decode()
    assert "完成複評，年度鎖定" in page and "總局退回重評" in page
    # scores can change again
    services.save_scores(year=year, round="review", scores={**SEED, 5: "80"}, user=auditor)
    assert (
        DimensionScore.objects.get(dimension__year=year, dimension__number=5, round="review").score
        == 80
    )


def test_reopening_an_unlocked_year_is_refused(year, admin_user):
    with pytest.raises(DomainError, match="沒有鎖定"):
        services.reopen_year(year=year, user=admin_user, reason="x")

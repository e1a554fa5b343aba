"""The auditor's review in progress (scores, comments, the total and grade they give) is seen
only by auditors and the organization's admins until the year is signed off; staff and heads
see the self-assessment, and the review once it is signed off: on the score sheet, the report
page's cover and score table, and the score history."""

import pytest

from perfreport.reports.selectors import build_report
from scoring import services
from scoring.selectors import score_sheet_data
from tests import factories
from tests.conftest import login

SELF = {1: "180", 2: "280", 3: "180", 4: "180", 5: "80"}  # 900 優
REVIEW = {1: "150", 2: "250", 3: "150", 4: "150", 5: "70"}  # 770 乙
SHEET = "/scoring/khh/113/"
REPORT = "/reports/khh/113/"


@pytest.fixture
def reviewed(year, admin_user, auditor):
    services.save_scores(year=year, round="self", scores=SELF, user=admin_user)
    services.save_scores(
        year=year,
        round="review",
        scores=REVIEW,
        comments={1: "櫃台服務流程需再簡化"},
        user=auditor,
    )
    return year


@pytest.mark.parametrize("who", ["staff_a", "head_a"])
def test_staff_and_heads_do_not_see_the_review_before_sign_off(client, reviewed, who, request):
    login(client, request.getfixturevalue(who))

    sheet = client.get(SHEET).content.decode()
    report = client.get(REPORT).content.decode()

    assert 'id="review-hidden"' in sheet
    assert 'id="review-score-1">—<' in sheet
    assert "櫃台服務流程需再簡化" not in sheet
    assert 'id="sheet-total">900<' in sheet  # the self-assessment counts for them
    assert 'id="review-total">—<' in sheet and 'id="review-grade"></span>' in sheet
    assert "複評已填" not in sheet  # not even how far the review has got
    assert "櫃台服務流程需再簡化" not in report
    assert "<td>複評</td>" not in report  # no review line in the report's score table
    assert "<td>900</td>" in report  # the cover's total is the self-assessment's


@pytest.mark.parametrize("who", ["auditor", "admin_user", "hq_auditor"])
def test_auditors_and_admins_see_the_review_in_progress(client, reviewed, who, request):
    login(client, request.getfixturevalue(who))

    sheet = client.get(SHEET).content.decode()
    report = client.get(REPORT).content.decode()

    assert 'id="review-hidden"' not in sheet
    assert 'id="review-score-1">150<' in sheet
    assert "櫃台服務流程需再簡化" in sheet
    assert 'id="sheet-total">770<' in sheet
    assert "<td>770</td>" in report and "<td>複評</td>" in report


@pytest.mark.parametrize("who", ["staff_a", "head_a"])
def test_everyone_sees_the_review_once_signed_off(client, reviewed, auditor, who, request):
    services.sign_off_review(year=reviewed, user=auditor)
    login(client, request.getfixturevalue(who))

    sheet = client.get(SHEET).content.decode()
    report = client.get(REPORT).content.decode()

    assert 'id="review-hidden"' not in sheet
    assert 'id="review-score-1">150<' in sheet
    assert "櫃台服務流程需再簡化" in sheet
    assert 'id="sheet-total">770<' in sheet
    assert "<td>770</td>" in report and "<td>複評</td>" in report


def test_the_selectors_leave_the_review_out_unless_asked(reviewed):
    hidden = score_sheet_data(reviewed)
    assert hidden.review_hidden and hidden.review_round.scored == 0 and hidden.total == 900
    assert all(line.review_comment == "" for line in hidden.dimensions)
    shown = score_sheet_data(reviewed, include_unsigned_review=True)
    assert shown.total == 770 and shown.dimensions[0].review_comment == "櫃台服務流程需再簡化"

    report = build_report(reviewed)
    assert [r.round for r in report.rounds] == ["self"] and report.total_text == "900"
    assert all("review" not in d.scores for d in report.dimensions)
    full = build_report(reviewed, include_unsigned_review=True)
    assert full.total_text == "770" and full.grade == "乙"


def test_a_year_reopened_after_sign_off_hides_the_review_again(reviewed, auditor, admin_user):
    services.sign_off_review(year=reviewed, user=auditor)
    assert not score_sheet_data(reviewed).review_hidden
    services.reopen_year(year=reviewed, user=admin_user, reason="總局退回重評")
    assert score_sheet_data(reviewed).review_hidden


def test_headquarters_admins_see_a_branch_review_only_once_signed_off(
    client, reviewed, hq, auditor
):
    """Headquarters' comparison: its auditors see the review in progress, its admins (not the
    branch's admins) only the signed-off review."""
    login(client, factories.make_user("hq_admin", hq, "admin"))

    def khh_113():
        table = client.get("/scoring/hq/").context["table"]
        row = next(r for r in table.data if (r["code"], r["roc_year"]) == ("khh", 113))
        return row["total"], row["round"]

    assert khh_113() == (900, "自評")
    services.sign_off_review(year=reviewed, user=auditor)
    assert khh_113() == (770, "複評")

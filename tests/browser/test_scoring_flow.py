"""The auditor reviews a year: the 112 sheet reads 920 優; on a copy of 112 the auditor enters
the review (920 優), is refused 201 with nothing saved, adjusts 一 to 115.5 (851.5 甲) and signs
off; the year is then locked and both the score form and the entry form refuse changes."""

import gc
import time
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from scoring.models import DimensionScore
from scoring.year_setup import copy_year_with_scoring
from strategies.errors import DomainError
from strategies.models import Item, Organization, Unit, Year

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # The live server's request threads can leave an in-memory SQLite connection to the garbage
    # collector after a slow request (the sign-off renders the PDF); `_settle` collects it
    # inside the test, where only that one warning is ignored.
    pytest.mark.filterwarnings(
        "ignore:Exception ignored in. <sqlite3.Connection:pytest.PytestUnraisableExceptionWarning"
    ),
]

DEMO_PASSWORD = "perfreport-demo"
REVIEW = ["184", "284", "182", "186", "84"]


@pytest.fixture
def copy_of_112(transactional_db):
    """The seed (112) and demo users, and year 113 copied from 112 and open for entry."""
    call_command("loaddata", "khh_112", "demo_users", verbosity=0)
    # The fixture's PBKDF2 hashes take seconds to check; a login that slow leaves a stray SQLite
    # connection behind in the live server (a ResourceWarning at session end). Same password,
    # the test settings' fast hasher.
    for user in get_user_model().objects.all():
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    org = Organization.objects.get(code="khh")
    admin = get_user_model().objects.get(username="admin")
    return copy_year_with_scoring(
        organization=org, from_roc_year=112, to_roc_year=113, user=admin, open_year=True
    )


def _settle(page):
    """Close the browser's keep-alive connections so the server's request threads end now."""
    page.context.close()
    time.sleep(0.5)
    gc.collect()


def review_scores(year):
    return {
        s.dimension.number: s.score
        for s in DimensionScore.objects.filter(dimension__year=year, round="review").select_related(
            "dimension"
        )
    }


def fill_review(page, scores):
    for number, value in enumerate(scores, start=1):
        page.fill(f"#id_score_{number}", value)


def test_scoring_flow(page, live_server, login_as, shots, copy_of_112):
    year = copy_of_112
    login_as(page, "auditor", DEMO_PASSWORD)

    # The 112 sheet, as in the seed.
    page.goto(f"{live_server.url}/scoring/khh/112/")
    expect(page.locator("#sheet-total")).to_have_text("920")
    expect(page.locator("#sheet-grade")).to_have_text("優")
    expect(page.locator("#legend")).to_contain_text("優=900 分以上；甲=899-800 分")
    shots(page, "sheet-112")

    # The copy: enter the review round.
    page.goto(f"{live_server.url}/scoring/khh/113/")
    expect(page.locator("#review-total")).to_have_text("—")
    page.click("#enter-review")
    page.wait_for_load_state()
    fill_review(page, REVIEW)
    # The page's own running total (the server recomputes on save).
    expect(page.locator("#live-total")).to_have_text("920")
    expect(page.locator("#live-grade")).to_have_text("優")
    shots(page, "review-typed")
    page.click("#save-scores")
    expect(page.locator(".messages")).to_contain_text("已儲存複評分數：總分 920，等第 優。")
    expect(page.locator("#review-total")).to_have_text("920")
    expect(page.locator("#review-grade")).to_have_text("優")
    expect(page.locator("#sheet-total")).to_have_text("920")
    shots(page, "review-saved-920")
    assert review_scores(year) == {n: Decimal(v) for n, v in enumerate(REVIEW, start=1)}

    # 201 is over 一's maximum: refused, nothing saved.
    page.click("#enter-review")
    page.wait_for_load_state()
    page.fill("#id_score_1", "201")
    page.fill("#id_score_2", "280")
    expect(page.locator("#live-total")).to_have_text("—")
    expect(page.locator("#hint-1")).to_have_text("構面一（基礎服務）的分數必須介於 0 與 200 分之間")
    shots(page, "review-201-typed")
    page.click("#save-scores")
    expect(page.locator("#score-errors")).to_contain_text(
        "構面一（基礎服務）的分數必須介於 0 與 200 分之間"
    )
    expect(page.locator("#id_score_1_error")).to_have_text(
        "構面一（基礎服務）的分數必須介於 0 與 200 分之間"
    )
    expect(page.locator("#hint-1")).to_have_text("")
    expect(page.locator("#id_score_1")).to_have_value("201")
    shots(page, "review-201-refused")
    assert review_scores(year) == {n: Decimal(v) for n, v in enumerate(REVIEW, start=1)}

    # 115.5: 851.5 甲.
    page.fill("#id_score_1", "115.5")
    page.fill("#id_score_2", "284")
    page.fill("#id_comment_1", "部分佐證不足，酌減。")
    expect(page.locator("#live-total")).to_have_text("851.5")
    expect(page.locator("#live-grade")).to_have_text("甲")
    page.click("#save-scores")
    expect(page.locator("#review-total")).to_have_text("851.5")
    expect(page.locator("#review-grade")).to_have_text("甲")
    expect(page.locator("#sheet-total")).to_have_text("851.5")
    expect(page.locator("#sheet-grade")).to_have_text("甲")
    shots(page, "review-saved-851_5")
    assert review_scores(year)[1] == Decimal("115.5")

    # The whole year item by item, before signing off.
    page.goto(f"{live_server.url}/scoring/khh/113/review/?dimension=1")
    expect(page.locator("#row-count")).to_contain_text("個項目")
    shots(page, "review-page-dimension-1")
    page.goto(f"{live_server.url}/scoring/khh/113/")

    # Sign off, after the confirmation page: the year is locked and the report issued.
    page.click("#sign-off")
    expect(page.locator("#confirm-consequences")).to_contain_text("鎖定 113 年度")
    page.click("#confirm-button")
    expect(page.locator(".messages")).to_contain_text("已完成複評：本年度已鎖定", timeout=180_000)
    expect(page.locator("#issue-status")).to_have_text("已發布", timeout=180_000)
    page.goto(f"{live_server.url}/scoring/khh/113/")
    expect(page.locator("#year-status")).to_have_text("已鎖定")
    expect(page.locator("#enter-review")).to_have_count(0)
    expect(page.locator("#sign-off")).to_have_count(0)
    shots(page, "signed-off")
    year.refresh_from_db()
    assert year.status == Year.Status.LOCKED

    # The score form refuses: opening it leads back to the locked sheet...
    page.goto(f"{live_server.url}/scoring/khh/113/scores/review/")
    expect(page.locator("h1")).to_contain_text("考核結果統計表")
    expect(page.locator("#score-form")).to_have_count(0)
    # ...and a posted change is refused with nothing saved.
    response = page.request.post(
        f"{live_server.url}/scoring/khh/113/scores/review/",
        form={f"score_{n}": "10" for n in range(1, 6)},
        headers={
            "X-CSRFToken": next(
                c["value"] for c in page.context.cookies() if c["name"] == "csrftoken"
            )
        },
    )
    assert response.status == 200 and "不能再修改分數" in response.text()
    assert review_scores(year)[1] == Decimal("115.5")

    # The entry form refuses too (strategies' entry service, as the page calls it).
    from strategies.services.entries import save_entry

    staff = get_user_model().objects.get(username="metrology-staff")
    metrology = Unit.objects.get(organization__code="khh", name="度量衡科")
    item = Item.objects.filter(method__strategy__dimension__year=year, host_units=metrology).first()
    with pytest.raises(DomainError, match="不能再修改填報"):
        save_entry(
            user=staff, item=item, unit=metrology, month=1, version=0, narrative="補登", values={}
        )

    page.click("form[action$='/logout/'] button")
    page.wait_for_load_state()
    login_as(page, "metrology-staff", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/items/{item.pk}/units/{metrology.pk}/months/1/")
    shots(page, "entry-form-locked")
    expect(page.locator("body")).to_contain_text("已鎖定")

    # Only the admin reopens, and only with a reason, which the sheet then shows.
    page.click("form[action$='/logout/'] button")
    page.wait_for_load_state()
    login_as(page, "admin", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/scoring/khh/113/")
    page.click("text=重新開放年度")
    page.select_option("#id_status", "closed")
    page.fill("#id_reason", "總局通知：構面一佐證補正後重評")
    shots(page, "reopen-form")
    page.click("#reopen-button")
    expect(page.locator(".messages")).to_contain_text("已重新開放本年度，原因已記錄。")
    expect(page.locator("#year-status")).to_have_text("已結束填報")
    expect(page.locator(".status-history")).to_contain_text("總局通知：構面一佐證補正後重評")
    shots(page, "reopened")
    year.refresh_from_db()
    assert year.status == Year.Status.CLOSED
    page.goto(f"{live_server.url}/scoring/khh/113/bands/")
    expect(page.locator("#legend")).to_contain_text("優=900 分以上")
    shots(page, "bands")
    _settle(page)

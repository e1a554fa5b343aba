"""The admin runs the years: status changes with reasons, and copies a year from the page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from scoring.models import GradeBands, ScoreSheet
from strategies.models import Item, Year
from tests import factories

pytestmark = pytest.mark.django_db


def test_years_page_lists_years_with_their_actions(client, admin_user, year, item):
    factories.make_year(year.organization, 112, status=Year.Status.LOCKED)
    client.force_login(admin_user)
    page = client.get(reverse("manage:years")).content.decode()
    assert "113 年度" in page and "112 年度" in page
    assert "結束填報" in page and "重新開放規劃" in page
    assert "重新開放填報" in page  # offered on the locked year


def test_closing_a_year_asks_for_confirmation_first(client, admin_user, year, unit_a, unit_b):
    client.force_login(admin_user)
    url = reverse("manage:year-status", args=[year.pk])

    page = client.post(url, {"status": "closed"})

    text = page.content.decode()
    assert page.status_code == 200
    assert "結束 113 年度的填報：所有單位（2 個）都不能再新增、修改或送出每月填報。" in text
    assert "已符合：未達目標的項目都已說明原因" in text
    assert 'class="danger" id="confirm-button"' in text
    assert '<input type="hidden" name="confirmed" value="1">' in text
    year.refresh_from_db()
    assert year.status == Year.Status.OPEN  # nothing changed yet

    response = client.post(url, {"status": "closed", "confirmed": "1"})
    assert response.status_code == 302
    year.refresh_from_db()
    assert year.status == Year.Status.CLOSED


def test_locking_says_what_it_does_not_do(client, admin_user, year):
    client.force_login(admin_user)
    page = client.post(reverse("manage:year-status", args=[year.pk]), {"status": "locked"})
    text = page.content.decode()
    assert "鎖定 113 年度：所有單位" in text
    assert "正式報告要由考核人員完成複評後才會發布" in text


def test_reopening_needs_a_reason_and_records_it(client, admin_user, year):
    Year.objects.filter(pk=year.pk).update(status=Year.Status.LOCKED)
    client.force_login(admin_user)
    url = reverse("manage:year-status", args=[year.pk])
    confirm = client.post(url, {"status": "open"}).content.decode()
    assert "未符合：已填寫原因" in confirm and 'id="confirm-button"' not in confirm
    response = client.post(url, {"status": "open", "confirmed": "1"}, follow=True)
    assert "必須填寫原因" in response.content.decode()
    year.refresh_from_db()
    assert year.status == Year.Status.LOCKED
    confirm = client.post(url, {"status": "open", "reason": "補登 12 月資料"}).content.decode()
    assert "已完成的複評會撤銷" in confirm and "「補登 12 月資料」" in confirm
    year.refresh_from_db()
    assert year.status == Year.Status.LOCKED
    client.post(url, {"status": "open", "reason": "補登 12 月資料", "confirmed": "1"})
    year.refresh_from_db()
    assert year.status == Year.Status.OPEN
    last = year.history.first()
    assert last.history_change_reason == "補登 12 月資料"
    assert last.history_user == admin_user


def test_an_impossible_status_change_is_refused(client, admin_user, year):
    Year.objects.filter(pk=year.pk).update(status=Year.Status.PLANNING)
    client.force_login(admin_user)
    url = reverse("manage:year-status", args=[year.pk])
    assert "未符合：可由「規劃中」改為「已鎖定」" in client.post(url, {"status": "locked"}).text
    response = client.post(url, {"status": "locked", "confirmed": "1"}, follow=True)
    assert "不能直接改為" in response.content.decode()
    year.refresh_from_db()
    assert year.status == Year.Status.PLANNING


def test_copy_year_from_the_page(client, admin_user, year, item):
    GradeBands.objects.filter(year=year).update(excellent_min=Decimal(910))
    client.force_login(admin_user)
    response = client.post(
        reverse("scoring:copy-year"), {"from_year": year.pk, "to_roc_year": 114}, follow=True
    )
    new = Year.objects.get(organization=year.organization, roc_year=114)
    assert response.redirect_chain[-1][0] == reverse("manage:plan", args=[new.pk])
    assert "已由 113 年度複製出 114 年度" in response.content.decode()
    assert new.status == Year.Status.PLANNING
    copied = Item.objects.get(method__strategy__dimension__year=new)
    assert copied.copied_from == item
    assert GradeBands.objects.get(year=new).excellent_min == Decimal(910)
    assert ScoreSheet.objects.filter(year=new).exists()


def test_copy_onto_an_existing_year_is_refused_and_changes_nothing(client, admin_user, year, item):
    factories.make_year(year.organization, 114)
    before = Item.objects.count(), Year.objects.count()
    client.force_login(admin_user)
    response = client.post(
        reverse("scoring:copy-year"), {"from_year": year.pk, "to_roc_year": 114}, follow=True
    )
    assert "已有 114 年度" in response.content.decode()
    assert (Item.objects.count(), Year.objects.count()) == before


def test_copy_from_another_organizations_year_is_refused(client, admin_user, year, other_org):
    foreign = factories.make_year(other_org, 110)
    client.force_login(admin_user)
    response = client.post(
        reverse("scoring:copy-year"), {"from_year": foreign.pk, "to_roc_year": 111}, follow=True
    )
    assert "無法複製年度" in response.content.decode()
    assert not Year.objects.filter(organization=year.organization, roc_year=111).exists()


def test_copy_is_for_admins_only(client, staff_a, year):
    client.force_login(staff_a)
    response = client.post(reverse("scoring:copy-year"), {"from_year": year.pk, "to_roc_year": 114})
    assert response.status_code == 403
    assert not Year.objects.filter(roc_year=114).exists()


def test_years_page_query_count_does_not_grow(
    client, admin_user, org, django_assert_max_num_queries
):
    client.force_login(admin_user)
    for roc in range(100, 103):
        factories.make_year(org, roc)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("manage:years"))
    for roc in range(103, 130):
        factories.make_year(org, roc)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("manage:years"))


def test_closing_lists_the_year_end_texts_still_waiting(
    client, admin_user, year, item, unit_a, staff_a, head_a
):
    from tests.test_results_compile import approved

    approved(item, unit_a, staff_a, head_a, 1, "辦理講習。", {})
    client.force_login(admin_user)
    url = reverse("manage:year-status", args=[year.pk])

    text = client.post(url, {"status": "closed"}).content.decode()

    assert "未符合：各項目的執行績效與成果都已核定" in text
    assert 'id="confirm-button"' not in text
    client.post(url, {"status": "closed", "confirmed": "1"})
    year.refresh_from_db()
    assert year.status == Year.Status.OPEN

"""Headquarters compares its branches: dimension scores, totals and grades per year, sortable;
the grade distribution per year as a table and an SVG chart; the same data as a workbook."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from scoring.hq import comparison
from scoring.models import DimensionScore, GradeBands
from scoring.selectors import score_sheet_data
from strategies.models import Membership, Organization
from tests import factories

pytestmark = pytest.mark.django_db

SELF = DimensionScore.Round.SELF
REVIEW = DimensionScore.Round.REVIEW


def _score(year, scores, round_=SELF):
    for dim, score in zip(year.dimensions.order_by("number"), scores, strict=True):
        DimensionScore.objects.create(dimension=dim, round=round_, score=score)


@pytest.fixture
def branches(org, other_org):
    khh112 = factories.make_year(org, 112, status="locked")
    _score(khh112, [184, 284, 182, 186, 84])  # 920 優
    tpe112 = factories.make_year(other_org, 112, status="locked")
    _score(tpe112, [170, 250, 150, 150, 80])  # self 800
    _score(tpe112, [160, 240, 150, 150, 70], REVIEW)  # review 770 乙: the review counts
    khh113 = factories.make_year(org, 113)
    _score(khh113, [180, 280, None, None, None][:2] + [180, 180, 80])  # 900 優
    tpe113 = factories.make_year(other_org, 113)
    DimensionScore.objects.create(dimension=tpe113.dimensions.get(number=1), round=SELF, score=100)
    return khh112, tpe112, khh113, tpe113


def test_permissions(client, branches, admin_user, auditor, staff_a, hq_auditor):
    url = reverse("scoring:hq-comparison")
    assert client.get(url)["Location"].startswith("/login/")
    for user in (admin_user, auditor, staff_a):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.get(reverse("scoring:hq-comparison-xlsx")).status_code == 403
    client.force_login(hq_auditor)
    assert client.get(url).status_code == 200


def test_page_shows_each_branch_year_with_total_and_grade(client, branches, hq_auditor):
    client.force_login(hq_auditor)
    response = client.get(reverse("scoring:hq-comparison"))
    rows = [
        (r["organization"], r["roc_year"], r["total"], r["grade"], r["round"])
        for r in response.context["table"].data
    ]
    assert rows == [
        ("高雄分局", 113, Decimal(900), "優", "自評"),
        ("臺北分局", 113, None, "", ""),
        ("高雄分局", 112, Decimal(920), "優", "自評"),
        ("臺北分局", 112, Decimal(770), "乙", "複評"),
    ]
    page = response.content.decode()
    assert "<svg" in page and "各年度等第分布" in page and "<script" not in page
    assert "112 年度：優 1、甲 0、乙 1、丙 0、丁 0" in page


def test_totals_and_grades_agree_with_each_score_sheet(client, branches, hq_auditor):
    client.force_login(hq_auditor)
    table = client.get(reverse("scoring:hq-comparison")).context["table"]
    by_key = {(r["code"], r["roc_year"]): r for r in table.data}
    for year in branches:
        sheet = score_sheet_data(year, include_unsigned_review=True)
        row = by_key[(year.organization.code, year.roc_year)]
        assert (row["total"], row["grade"] or None) == (sheet.total, sheet.grade)


def test_the_year_bands_decide_the_grade(client, branches, hq_auditor):
    khh112 = branches[0]
    GradeBands.objects.filter(year=khh112).update(excellent_min=950, a_min=900)
    client.force_login(hq_auditor)
    table = client.get(reverse("scoring:hq-comparison")).context["table"]
    assert {(r["code"], r["roc_year"]): r["grade"] for r in table.data}[("khh", 112)] == "甲"


@pytest.mark.parametrize(
    ("sort", "first"),
    [
        ("total", ("臺北分局", 113)),  # a year without a complete round comes first: it stands out
        ("-total", ("高雄分局", 112)),
        ("grade", ("高雄分局", 113)),
        ("-grade", ("臺北分局", 113)),
    ],
)
def test_sortable(client, branches, hq_auditor, sort, first):
    client.force_login(hq_auditor)
    response = client.get(reverse("scoring:hq-comparison"), {"sort": sort})
    rows = list(response.context["table"].rows)
    assert (rows[0].record["organization"], rows[0].record["roc_year"]) == first


def test_workbook(client, branches, hq_auditor):
    client.force_login(hq_auditor)
    response = client.get(reverse("scoring:hq-comparison-xlsx"))
    assert response["Content-Disposition"] == 'attachment; filename="hq-comparison.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook["各機關比較"].iter_rows(values_only=True))
    assert rows[0][:3] == ("機關", "年度", "一、基礎服務")
    assert rows[3] == ("高雄分局", 112, 184, 284, 182, 186, 84, 920, "優", "自評", "已鎖定")
    dist = list(workbook["等第分布"].iter_rows(values_only=True))
    assert dist[1] == (112, 1, 0, 1, 0, 0, 2)


def test_query_count_does_not_grow(client, hq, hq_auditor, django_assert_max_num_queries):
    client.force_login(hq_auditor)
    for n in range(2):
        org = factories.make_org(f"b{n}", f"分局{n}", parent=hq)
        _score(factories.make_year(org, 112), [100, 100, 100, 100, 50])
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("scoring:hq-comparison"))
    for n in range(2, 12):
        org = factories.make_org(f"b{n}", f"分局{n}", parent=hq)
        _score(factories.make_year(org, 112), [100, 100, 100, 100, 50])
        factories.make_year(org, 113)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("scoring:hq-comparison"))
    assert len(response.context["table"].data) == 22


def test_hq_admin_sees_it_too_but_not_hq_staff(client, hq, branches):
    client.force_login(factories.make_user("hq_admin", hq, Membership.Role.ADMIN))
    assert client.get(reverse("scoring:hq-comparison")).status_code == 200
    unit = factories.make_unit(hq, "企劃組")
    client.force_login(factories.make_user("hq_staff", hq, Membership.Role.STAFF, unit))
    assert client.get(reverse("scoring:hq-comparison")).status_code == 403


def test_workbook_writes_formula_looking_names_as_text(client, branches, other_org, hq_auditor):
    other_org.short_name = "=1+2"
    other_org.save()
    client.force_login(hq_auditor)
    response = client.get(reverse("scoring:hq-comparison-xlsx"))
    sheet = load_workbook(io.BytesIO(response.content))["各機關比較"]
    names = [row[0] for row in sheet.iter_rows(min_row=2) if row[0].value == "=1+2"]
    assert names, "the organization is listed"
    assert all(cell.data_type == "s" for cell in names)


def test_two_hundred_branches_in_pages_and_the_same_queries(
    client, hq, hq_auditor, django_assert_max_num_queries
):
    """National size: 25 rows a page, sorted over all, in the queries of a few branches."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def branch(n):
        org = factories.make_org(f"b{n:03d}", f"第{n}分局", short_name=f"分局{n:03d}", parent=hq)
        _score(factories.make_year(org, 112, status="locked"), [150, 250, 150, 150, 80 + n % 20])

    for n in range(7):
        branch(n)
    client.force_login(hq_auditor)
    url = reverse("scoring:hq-comparison")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(7, 200):
        branch(n)
    with django_assert_max_num_queries(len(few)):
        page = client.get(url, {"sort": "-total"}).content.decode()
    table = page.split('id="hq-table"')[1].split("</table>")[0]
    assert table.count("<tr") == 25 + 1  # 25 rows and the head
    assert "第 1 頁，共 8 頁" in page
    assert "?sort=-total&amp;page=2" in page  # the order kept from page to page
    assert ">799<" in table  # the highest totals first: 150+250+150+150+99


def test_an_unsigned_review_counts_only_for_a_reader_the_rule_lets_see_it(branches):
    """tpe112's review is complete but not signed off: the rule decides, and it is asked only
    where its answer changes the row (a complete review not signed off)."""
    asked = []

    def rule(answer):
        def sees(year):
            asked.append((year.organization.code, year.roc_year))
            return answer

        return sees

    def tpe112(answer):
        data = comparison(Organization.objects.all(), sees_unsigned_review=rule(answer))
        return next((r.total, r.round) for r in data.rows if (r.code, r.roc_year) == ("tpe", 112))

    assert tpe112(True) == (Decimal(770), "複評")
    assert tpe112(False) == (Decimal(800), "自評")
    assert asked == [("tpe", 112), ("tpe", 112)]

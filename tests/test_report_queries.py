"""The report's queries are pinned, and the same for the seed and for a year ten times its size."""

import pytest
from django.urls import reverse

from benchmarks import synthetic
from perfreport.reports.exporters import EXPORTERS
from perfreport.reports.issuing import render_for_download
from perfreport.reports.selectors import build_report
from strategies.models import Item, Year
from tests import factories
from tests.conftest import login

# year + organization + parent, score sheet, bands, units, dimensions, strategies, methods,
# items, host units, indicators, scores (11) + the score chart's score_sheet_data: the year
# with its dimensions and scores (3) and the earlier years (1; +2 prefetches when there are any).
REPORT_QUERIES = 15
# + monthly entries and their indicator values, which only the JSON file carries.
REPORT_WITH_ENTRIES_QUERIES = 17
# + the newest finished issued version looked up first (the year is closed; none is found).
EXPORT_QUERIES = {
    "html": REPORT_QUERIES + 1,
    "pdf": REPORT_QUERIES + 1,
    "xlsx": REPORT_QUERIES + 1,
    "ods": REPORT_QUERIES + 1,
    "odt": REPORT_QUERIES + 1,
    "docx": REPORT_QUERIES + 1,
    "json": REPORT_WITH_ENTRIES_QUERIES + 1,
}
# session, user, year, membership (with the header's organization name), issued files (of
# finished versions), a version still being issued, the report (15), unread notices (the nav
# badge). No session write: at most once a minute (perfreport/session_refresh.py).
PAGE_QUERIES = 22


@pytest.fixture
def years(seed):
    """(1x, 10x): the seed, and a branch whose year is ten times its size, with monthly
    entries. Neither has earlier years, so the score chart's trend reads the same way."""
    small = Year.objects.get(organization__code="khh", roc_year=112)
    branch = factories.make_org(
        "big", "經濟部標準檢驗局大型分局", short_name="大型分局", parent=small.organization.parent
    )
    large = synthetic.build_year(branch, 112, scale=10, with_entries=True)
    assert Item.objects.filter(method__strategy__dimension__year=large).count() == 470
    return small, large


def test_selector_queries_do_not_grow(years, django_assert_num_queries):
    for year in years:
        with django_assert_num_queries(REPORT_QUERIES):
            build_report(year)
        with django_assert_num_queries(REPORT_WITH_ENTRIES_QUERIES):
            build_report(year, include_entries=True)


def test_queries_do_not_grow_with_earlier_years(years, django_assert_num_queries):
    """The score chart's trend reads every earlier year in a fixed number of queries too."""
    small, _large = years
    for roc_year in (110, 111):
        factories.make_year(small.organization, roc_year, status=Year.Status.CLOSED)
    with django_assert_num_queries(REPORT_QUERIES + 2):
        data = build_report(small)
    assert sum(len(d.rows) for d in data.dimensions) == 47


@pytest.mark.parametrize("fmt", list(EXPORTERS))
def test_every_export_pins_its_queries(years, fmt, django_assert_num_queries, monkeypatch):
    if fmt == "pdf":
        # The PDF is WeasyPrint's render of the HTML document, which touches no database;
        # skip the slow render of 470 rows here (the PDF tests render the seed for real).
        monkeypatch.setattr(
            "perfreport.reports.exporters.pdf.archival_pdf",
            lambda html, **metadata: b"%PDF-" + html[:10].encode(),
        )
    for year in years:
        with django_assert_num_queries(EXPORT_QUERIES[fmt]):
            download = render_for_download(year, fmt)
        assert download.issued is None
        assert download.read()


def test_page_queries_do_not_grow(client, years, django_assert_num_queries):
    for year in years:
        login(client, factories.make_user(f"auditor-{year.pk}", year.organization, "auditor"))
        page = reverse(
            "reports:report", kwargs={"org": year.organization.code, "roc_year": year.roc_year}
        )
        with django_assert_num_queries(PAGE_QUERIES):
            response = client.get(page)
        assert response.status_code == 200

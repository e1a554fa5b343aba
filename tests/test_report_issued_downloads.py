"""Once issued, the year's downloads are exactly the issued bytes; the page shows the hashes;
earlier versions stay downloadable; a reopened year is rendered afresh."""

import hashlib
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.urls import reverse

from benchmarks import synthetic
from perfreport.reports.issuing import issue_report
from perfreport.reports.models import IssuedReport
from strategies.models import Item, Year
from tests.conftest import login, stored_bytes

pytestmark = pytest.mark.usefixtures("quick_pdf")


@pytest.fixture
def issued_year(org, unit_a, unit_b, auditor):
    year = synthetic.build_year(org, 112, status=Year.Status.LOCKED)
    issue_report(year=year, user=auditor)
    return year


def url(name, **kw):
    return reverse(name, kwargs={"org": "khh", "roc_year": 112, **kw})


def change_the_data(year):
    item = Item.objects.filter(method__strategy__dimension__year=year).order_by("pk").first()
    item.results = "事後修改的成果"
    item.save()


@pytest.mark.parametrize("fmt", ["html", "pdf", "xlsx", "ods", "odt", "docx", "json"])
def test_download_gives_the_issued_bytes(client, issued_year, admin_user, fmt):
    change_the_data(issued_year)
    issued = IssuedReport.objects.get(year=issued_year, format=fmt)
    login(client, admin_user)

    response = client.get(url("reports:download", format=fmt))

    assert response.status_code == 200
    content = b"".join(response.streaming_content)  # streamed from disk
    assert content == stored_bytes(issued)
    assert hashlib.sha256(content).hexdigest() == issued.sha256
    assert response["X-Content-SHA256"] == issued.sha256
    assert "事後修改的成果".encode() not in content
    assert response["Content-Disposition"] == (
        f'attachment; filename="khh-112-service-performance-v1.{fmt}"; '
        "filename*=UTF-8''" + quote(f"高雄分局112年度提升服務效能執行績效與成果-v1.{fmt}")
    )


def test_command_gives_the_issued_bytes(issued_year, tmp_path):
    change_the_data(issued_year)
    out = tmp_path / "r.xlsx"
    call_command(
        "export_report", "--org", "khh", "--year", "112", "--format", "xlsx", "--output", str(out)
    )
    assert out.read_bytes() == stored_bytes(IssuedReport.objects.get(format="xlsx"))


def test_page_lists_versions_with_their_hashes(client, issued_year, auditor, staff_a):
    issue_report(year=issued_year, user=auditor)
    login(client, auditor)
    response = client.get(url("reports:report"))

    text = response.text
    assert "第 2 版" in text and "第 1 版" in text
    for report in IssuedReport.objects.filter(year=issued_year):
        assert report.sha256 in text
        assert url("reports:issued-file", pk=report.pk) in text
    # Staff see the hashes but get no links to the files.
    login(client, staff_a)
    staff_text = client.get(url("reports:report")).text
    first = IssuedReport.objects.filter(year=issued_year).first()
    assert first.sha256 in staff_text
    assert url("reports:issued-file", pk=first.pk) not in staff_text


def test_earlier_versions_stay_downloadable(client, issued_year, auditor, admin_user):
    first = IssuedReport.objects.get(year=issued_year, format="json", version=1)
    change_the_data(issued_year)
    issue_report(year=issued_year, user=auditor)
    login(client, admin_user)

    old = client.get(url("reports:issued-file", pk=first.pk))
    new = client.get(url("reports:download", format="json"))

    old_content = b"".join(old.streaming_content)
    assert old_content == stored_bytes(first)
    assert "事後修改的成果".encode() not in old_content
    assert "事後修改的成果".encode() in b"".join(new.streaming_content)


def test_issued_file_permissions(client, issued_year, staff_a, outsider):
    pk = IssuedReport.objects.filter(year=issued_year).first().pk
    target = url("reports:issued-file", pk=pk)
    assert client.get(target).status_code == 302
    login(client, staff_a)
    assert client.get(target).status_code == 403
    login(client, outsider)
    assert client.get(target).status_code == 404


def test_a_reopened_year_is_rendered_from_the_current_data(client, issued_year, admin_user):
    Year.objects.filter(pk=issued_year.pk).update(status=Year.Status.OPEN)
    change_the_data(issued_year)
    login(client, admin_user)

    response = client.get(url("reports:download", format="json"))

    assert "事後修改的成果".encode() in response.content
    assert "X-Content-SHA256" not in response
    assert "khh-112-service-performance-draft.json" in response["Content-Disposition"]

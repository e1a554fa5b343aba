"""Issuing a year's report stores every format once, on disk, with its SHA-256; re-issuing adds
a version; the task is idempotent."""

import hashlib
from pathlib import Path

import pytest
from django.conf import settings

from benchmarks import synthetic
from perfreport.reports import issuing
from perfreport.reports.exporters import EXPORTERS
from perfreport.reports.issuing import issue_report, latest_issued
from perfreport.reports.models import IssuedReport, IssuedVersion
from tests.conftest import stored_bytes

FORMATS = list(EXPORTERS)
pytestmark = pytest.mark.usefixtures("quick_pdf")


@pytest.fixture
def closed_year(org):
    return synthetic.build_year(org, 112)


def test_issue_stores_every_format_once_on_disk_with_its_hash(closed_year, auditor):
    issued = issue_report(year=closed_year, user=auditor)

    assert [r.format for r in issued] == FORMATS
    stored = IssuedReport.objects.filter(year=closed_year).order_by("pk")
    assert stored.count() == len(FORMATS)
    for report in stored:
        path = Path(settings.MEDIA_ROOT) / report.file.name
        assert path.parent == Path(settings.MEDIA_ROOT) / "issued/khh/112/v1"
        content = path.read_bytes()
        assert report.version == 1
        assert report.sha256 == hashlib.sha256(content).hexdigest()
        assert report.size == len(content)
        assert report.issued_by == auditor
        assert report.filename == f"高雄分局112年度提升服務效能執行績效與成果-v1.{report.format}"
        assert path.name == f"khh-112-service-performance-v1.{report.format}"
    assert stored_bytes(stored.get(format="pdf")).startswith(b"%PDF")
    version = IssuedVersion.objects.get(year=closed_year)
    assert version.status == IssuedVersion.Status.DONE and version.progress == 100
    assert (Path(settings.MEDIA_ROOT) / version.manifest.name).name == "manifest.json"


def test_reissue_adds_a_version_and_keeps_the_first(closed_year, auditor, admin_user):
    first = {r.format: (r.pk, r.sha256) for r in issue_report(year=closed_year, user=auditor)}
    second = issue_report(year=closed_year, user=admin_user)

    assert {r.version for r in second} == {2}
    assert IssuedReport.objects.filter(year=closed_year).count() == 2 * len(FORMATS)
    for pk, sha in first.values():
        kept = IssuedReport.objects.get(pk=pk)
        assert kept.version == 1
        assert kept.sha256 == sha == hashlib.sha256(stored_bytes(kept)).hexdigest()
    latest = latest_issued(closed_year)
    assert {r.version for r in latest.values()} == {2}
    assert sorted(latest) == sorted(FORMATS)


def test_running_the_task_again_changes_nothing(closed_year, auditor):
    issue_report(year=closed_year, user=auditor)
    version = IssuedVersion.objects.get(year=closed_year)
    before = {r.pk: (r.sha256, stored_bytes(r)) for r in IssuedReport.objects.all()}

    issuing.issue_version(version.pk)  # a duplicated or retried task

    assert IssuedReport.objects.count() == len(FORMATS)
    assert {r.pk: (r.sha256, stored_bytes(r)) for r in IssuedReport.objects.all()} == before


def test_an_interrupted_issue_resumes_and_keeps_what_it_stored(closed_year, auditor, monkeypatch):
    from perfreport.reports.exporters.ods import OdsExporter

    def broken(self, data):
        raise RuntimeError("磁碟已滿")

    monkeypatch.setattr(OdsExporter, "render_bytes", broken)
    with pytest.raises(RuntimeError):
        issue_report(year=closed_year, user=auditor)
    version = IssuedVersion.objects.get(year=closed_year)
    assert version.status == IssuedVersion.Status.FAILED
    assert "磁碟已滿" in version.error
    kept = {r.format: r.sha256 for r in IssuedReport.objects.filter(year=closed_year)}
    # The job renders the formats that carry the entries first (issuing.issuing_order).
    order = issuing.issuing_order()
    assert order[0] == "json"
    assert sorted(kept) == sorted(order[: order.index("ods")])
    assert latest_issued(closed_year) == {}  # nothing offered from an unfinished version

    monkeypatch.undo()
    issuing.issue_version(version.pk)

    version.refresh_from_db()
    assert version.status == IssuedVersion.Status.DONE
    again = {r.format: r.sha256 for r in IssuedReport.objects.filter(year=closed_year)}
    assert sorted(again) == sorted(FORMATS)
    assert all(again[f] == kept[f] for f in kept)


def test_admin_lists_issued_files_read_only(client, closed_year, auditor, admin_user):
    issued = issue_report(year=closed_year, user=auditor)
    client.force_login(admin_user)

    listing = client.get("/admin/reports/issuedreport/")
    assert listing.status_code == 200
    assert issued[0].sha256 in listing.text
    assert client.get("/admin/reports/issuedreport/add/").status_code == 403
    pdf = next(r for r in issued if r.format == "pdf")
    assert client.post(f"/admin/reports/issuedreport/{pdf.pk}/delete/").status_code == 403
    assert IssuedReport.objects.filter(pk=pdf.pk).exists()
    assert client.get("/admin/reports/issuedversion/").status_code == 200


def test_the_issued_json_is_streamed_byte_for_byte_as_rendered(closed_year, auditor):
    """The job writes the JSON straight to its file, hashing it on the way: the same bytes as
    the exporter's in-memory render (json.dumps(indent=2)'s layout), entries included."""
    import json

    from perfreport.reports.selectors import build_report

    synthetic.fill_entries(closed_year, months=(1, 9, 10, 11))
    issue_report(year=closed_year, user=auditor)
    report = IssuedReport.objects.get(year=closed_year, format="json")
    version = IssuedVersion.objects.get(year=closed_year)
    data = build_report(
        closed_year, include_entries=True, include_unsigned_review=True, version=version.version
    )
    data.signed_off_at = version.signed_off_at
    rendered = EXPORTERS["json"].render(data)[2]

    stored = stored_bytes(report)
    assert stored == rendered
    assert stored == (json.dumps(json.loads(stored), ensure_ascii=False, indent=2) + "\n").encode()
    first_item = json.loads(stored)["dimensions"][0]["strategies"][0]["methods"][0]["items"][0]
    assert {entry["month"] for entry in first_item["entries"]} == {1, 9, 10, 11}
    assert report.size == len(stored)
    assert report.sha256 == hashlib.sha256(stored).hexdigest()


def test_the_documents_are_rendered_after_the_entries_are_dropped(
    closed_year, auditor, monkeypatch
):
    """The formats that carry the monthly entries first; the others see none (the memory of a
    quarter of a million entries is free for their renderers)."""
    synthetic.fill_entries(closed_year, months=(1,))
    seen = []
    for identifier, exporter in EXPORTERS.items():
        original = type(exporter).write_bytes

        def spy(self, data, stream, *args, identifier=identifier, original=original):
            entries = sum(
                len(item.entries) for _dimension, row in data.rows() for item in [row.item]
            )
            seen.append((identifier, entries))
            return original(self, data, stream, *args)

        monkeypatch.setattr(type(exporter), "write_bytes", spy)
    issue_report(year=closed_year, user=auditor)

    assert [identifier for identifier, _entries in seen if identifier != "pdf"] == [
        i for i in issuing.issuing_order() if i != "pdf"
    ]
    assert seen[0][0] == "json" and seen[0][1] > 0
    assert all(entries == 0 for identifier, entries in seen[1:])


def test_the_progress_follows_a_pdf_rendered_in_parts(closed_year, auditor, monkeypatch, settings):
    """A large year's PDF renders part by part for minutes: the version's step says which."""
    settings.PDF_PART_ROWS = 10  # the synthetic 1x year (47 rows) in 5 parts
    steps = []
    advance = issuing._advance

    def recorded(version, **fields):
        steps.append((fields.get("progress"), fields.get("step")))
        advance(version, **fields)

    monkeypatch.setattr(issuing, "_advance", recorded)
    issue_report(year=closed_year, user=auditor)

    position = issuing.issuing_order().index("pdf") + 1
    count = len(FORMATS)
    pdf_steps = [(p, step) for p, step in steps if step and step.startswith("產生 PDF")]
    assert [step for _p, step in pdf_steps] == [f"產生 PDF（{position}/{count}）"] + [
        f"產生 PDF（{position}/{count}）：第 {n}/5 部分完成" for n in range(1, 6)
    ]
    numbers = [p for p, _step in pdf_steps]
    assert numbers == sorted(numbers) and numbers[0] < numbers[-1] < 90
    assert IssuedVersion.objects.get(year=closed_year).status == IssuedVersion.Status.DONE

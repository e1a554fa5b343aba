"""Issued files move from database blobs to MEDIA_ROOT (issued/<org>/<year>/v<N>/<name>), and
every version issued so far gets its IssuedVersion row (done; no manifest: those versions were
issued before reports were signed, and verify_report says so)."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations


def to_files(apps, schema_editor):
    IssuedReport = apps.get_model("reports", "IssuedReport")
    IssuedVersion = apps.get_model("reports", "IssuedVersion")
    seen = set()
    reports = IssuedReport.objects.select_related("year__organization").order_by("pk")
    for report in reports.iterator(chunk_size=20):
        year = report.year
        folder = f"issued/{year.organization.code}/{year.roc_year}/v{report.version}"
        if report.content is not None and not report.file:
            name = f"{folder}/{report.filename}"
            if default_storage.exists(name):
                default_storage.delete(name)
            report.file.name = default_storage.save(name, ContentFile(bytes(report.content)))
            report.content = None
            report.save(update_fields=["file", "content"])
        if (year.pk, report.version) not in seen:
            seen.add((year.pk, report.version))
            IssuedVersion.objects.get_or_create(
                year=year,
                version=report.version,
                defaults={
                    "status": "done",
                    "progress": 100,
                    "step": "",
                    "signed_off_at": report.issued_at,
                    "requested_by": report.issued_by,
                    "finished_at": report.issued_at,
                },
            )


def to_blobs(apps, schema_editor):
    IssuedReport = apps.get_model("reports", "IssuedReport")
    for report in IssuedReport.objects.exclude(file="").iterator(chunk_size=20):
        with default_storage.open(report.file.name, "rb") as handle:
            report.content = handle.read()
        report.save(update_fields=["content"])


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_issued_files_on_disk")]

    operations = [migrations.RunPython(to_files, to_blobs)]

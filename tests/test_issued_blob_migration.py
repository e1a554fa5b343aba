"""Migration 0004 moves issued files from database blobs to MEDIA_ROOT, byte for byte, and gives
every version issued so far its IssuedVersion row; going back restores the blobs."""

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests import factories

BEFORE = [("reports", "0003_issued_files_on_disk")]
AFTER = [("reports", "0005_drop_issued_blobs")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_blobs_move_to_files_and_back():
    old = migrate(BEFORE)
    IssuedReport = old.get_model("reports", "IssuedReport")
    # The organization and year through today's models (their tables are today's).
    year_pk = factories.make_year(factories.make_org(), 112, status="locked").pk
    year = old.get_model("strategies", "Year").objects.get(pk=year_pk)
    contents = {"pdf": b"%PDF-1.7 issued", "json": '{"年度": 112}'.encode()}
    for version in (1, 2):
        for fmt, content in contents.items():
            IssuedReport.objects.create(
                year=year,
                version=version,
                format=fmt,
                filename=f"khh-112-service-performance.{fmt}",
                content_type="application/octet-stream",
                content=content + str(version).encode(),
                size=len(content) + 1,
                sha256=hashlib.sha256(content + str(version).encode()).hexdigest(),
                issued_at=timezone.now(),
            )

    new = migrate(AFTER)

    moved = new.get_model("reports", "IssuedReport")
    versions = new.get_model("reports", "IssuedVersion")
    assert sorted(versions.objects.values_list("version", "status")) == [(1, "done"), (2, "done")]
    for report in moved.objects.all():
        path = Path(settings.MEDIA_ROOT) / report.file.name
        assert report.file.name == (
            f"issued/khh/112/v{report.version}/khh-112-service-performance.{report.format}"
        )
        assert path.read_bytes() == contents[report.format] + str(report.version).encode()
        assert hashlib.sha256(path.read_bytes()).hexdigest() == report.sha256

    back = migrate(BEFORE)
    restored = back.get_model("reports", "IssuedReport")
    for report in restored.objects.all():
        assert bytes(report.content) == contents[report.format] + str(report.version).encode()
    migrate([("reports", "0005_drop_issued_blobs")])

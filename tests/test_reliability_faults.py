"""Faults midway (PostgreSQL): nothing half-written, a plain message, and the next try works.

- an import or a restore interrupted by an exception midway leaves the database (and the stored
  files) exactly as before;
- a database connection dropped during a save: the person is told nothing was saved (503), the
  entry is as before, and the next save works;
- a full disk while an evidence file is written: no orphan row (and no orphan file).
"""

import errno
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from perfreport.reports import importing
from perfreport.reports.exporters import get_exporter
from perfreport.reports.selectors import build_report
from scoring.backup_specs import ALL_SPECS
from scoring.models import DimensionScore
from strategies import backup
from strategies.backup import restore as restore_module
from strategies.models import Evidence, IndicatorValue, MonthlyEntry, Organization, Year
from strategies.services import entries as services

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="faults of a real database need PostgreSQL"
    ),
]

User = get_user_model()
OUTAGE_MIDDLEWARE = "perfreport.health.OutageMiddleware"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def snapshot() -> dict[str, list]:
    """Every row of every table, in primary-key order, and every stored file."""
    rows: dict[str, list] = {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models()
    }
    rows["files"] = _stored_files()
    return rows


@pytest.fixture
def outage_pages(settings):
    """The outage middleware, whether or not settings.py lists it (the lead adds it there)."""
    if OUTAGE_MIDDLEWARE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, OUTAGE_MIDDLEWARE]


# --- an import interrupted midway -----------------------------------------------------------


def test_an_import_interrupted_midway_leaves_the_database_as_before(seed, monkeypatch):
    year = Year.objects.get(organization__code="khh", roc_year=112)
    document = json.loads(get_exporter("json").render(build_report(year, include_entries=True))[2])
    document["year"]["roc_year"] = 140  # a new year of khh: everything in it is created
    raw = json.dumps(document, ensure_ascii=False).encode()
    before = snapshot()

    calls = {"n": 0}
    original = importing._bulk

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:  # well into the plan: year, dimensions, items and hosts are written
            raise RuntimeError("power cut")
        return original(*args, **kwargs)

    monkeypatch.setattr(importing, "_bulk", failing)
    with pytest.raises(RuntimeError, match="power cut"):
        importing.import_report(raw=raw)

    assert calls["n"] == 2
    assert snapshot() == before
    monkeypatch.setattr(importing, "_bulk", original)
    imported = importing.import_report(raw=raw)
    assert imported.roc_year == 140


# --- a restore interrupted midway -----------------------------------------------------------


def test_a_restore_interrupted_midway_leaves_the_database_and_files_as_before(
    org, year, item, unit_a, staff_a, monkeypatch
):
    services.save_entry(
        user=staff_a,
        item=item,
        unit=unit_a,
        month=1,
        version=0,
        narrative="附簽到表",
        values={},
        files=[SimpleUploadedFile("簽到表.pdf", PDF, content_type="application/pdf")],
    )
    dimension = year.dimensions.get(number=1)
    DimensionScore.objects.create(dimension=dimension, round="self", score=Decimal(184))
    archive = backup.build_backup(organization=org, roc_year=113, specs=ALL_SPECS)
    # The original moves aside, so the archive restores as new rows next to it.
    Organization.objects.filter(pk=org.pk).update(code="khh-old")
    User.objects.filter(pk=staff_a.pk).update(username="staff_a-old")
    before = snapshot()

    original = restore_module._find_existing

    def failing(spec, *args, **kwargs):  # type: ignore[no-untyped-def]
        # The scores come last: the plan, the entries and the evidence file are written by now.
        if spec.name == "dimension_score":
            raise RuntimeError("disk controller reset")
        return original(spec, *args, **kwargs)

    monkeypatch.setattr(restore_module, "_find_existing", failing)
    with pytest.raises(RuntimeError, match="disk controller reset"):
        backup.restore_backup(content=archive, specs=ALL_SPECS)

    assert snapshot() == before
    monkeypatch.undo()
    restored = backup.restore_backup(content=archive, specs=ALL_SPECS)
    assert restored.year.organization.code == "khh"
    assert Evidence.objects.filter(entry__item__method__strategy__dimension__year=restored.year)


# --- a database connection dropped during a save --------------------------------------------


def _post(client: Client, item, unit, *, version: int, narrative: str, value: int):  # type: ignore[no-untyped-def]
    indicator = item.indicators.get()
    return client.post(
        reverse("strategies:entry-edit", args=[item.pk, unit.pk, 1]),
        {
            "version": version,
            "narrative": narrative,
            f"value_{indicator.pk}": value,
            "action": "save",
        },
    )


def test_a_connection_dropped_during_a_save_says_so_and_the_next_save_works(
    outage_pages, item, unit_a, staff_a, monkeypatch
):
    client = Client(raise_request_exception=False)
    client.force_login(staff_a)
    assert _post(client, item, unit_a, version=0, narrative="初稿", value=3).status_code == 302
    entry = MonthlyEntry.objects.get(item=item, unit=unit_a, month=1)
    before = snapshot()

    original = services._write_values

    def drop_connection(**kwargs):  # type: ignore[no-untyped-def]
        # The entry row is already updated inside the transaction; now the server goes away.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        return original(**kwargs)

    monkeypatch.setattr(services, "_write_values", drop_connection)
    response = _post(client, item, unit_a, version=1, narrative="第二版", value=5)

    assert response.status_code == 503
    page = response.content.decode()
    assert "資料庫連線暫時中斷" in page
    assert "這次的修改沒有存入" in page
    monkeypatch.undo()
    assert snapshot() == before
    entry.refresh_from_db()
    assert (entry.narrative, entry.version) == ("初稿", 1)

    # The same save again, from the same version: it works on a fresh connection.
    response = _post(client, item, unit_a, version=1, narrative="第二版", value=5)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.narrative, entry.version) == ("第二版", 2)
    assert IndicatorValue.objects.get(entry=entry).value == 5


def test_the_service_raises_a_database_error_not_a_success(item, unit_a, staff_a, monkeypatch):
    entry = services.save_entry(
        user=staff_a, item=item, unit=unit_a, month=1, version=0, narrative="初稿", values={}
    )

    def drop_connection(**kwargs):  # type: ignore[no-untyped-def]
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    monkeypatch.setattr(services, "_write_values", drop_connection)
    with pytest.raises(OperationalError):
        services.save_entry(
            user=staff_a, item=item, unit=unit_a, month=1, version=1, narrative="二", values={}
        )
    monkeypatch.undo()
    entry.refresh_from_db()
    assert (entry.narrative, entry.version) == ("初稿", 1)


# --- a full disk while an evidence file is written ------------------------------------------


def _disk_full(self, name, content, *args, **kwargs):  # type: ignore[no-untyped-def]
    raise OSError(errno.ENOSPC, "No space left on device", name)


def _stored_files() -> list:
    root = django_settings.MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_full_disk_while_writing_evidence_leaves_no_orphan_row(
    outage_pages, item, unit_a, staff_a, monkeypatch
):
    client = Client(raise_request_exception=False)
    client.force_login(staff_a)
    assert _post(client, item, unit_a, version=0, narrative="初稿", value=3).status_code == 302
    before = snapshot()
    files_before = _stored_files()

    monkeypatch.setattr(FileSystemStorage, "_save", _disk_full)
    indicator = item.indicators.get()
    response = client.post(
        reverse("strategies:entry-edit", args=[item.pk, unit_a.pk, 1]),
        {
            "version": 1,
            "narrative": "附上簽到表",
            f"value_{indicator.pk}": 4,
            "action": "save",
            "evidence": SimpleUploadedFile("簽到表.pdf", PDF, content_type="application/pdf"),
        },
    )

    assert response.status_code == 507
    assert "檔案與這次的修改都沒有存入" in response.content.decode()
    assert snapshot() == before
    assert Evidence.objects.count() == 0
    assert _stored_files() == files_before


def test_a_full_disk_on_the_second_of_two_files_keeps_neither(item, unit_a, staff_a, monkeypatch):
    """The first file reached the disk before the second failed: its row is rolled back."""
    services.save_entry(
        user=staff_a, item=item, unit=unit_a, month=1, version=0, narrative="初稿", values={}
    )
    before = snapshot()
    original = FileSystemStorage._save
    calls = {"n": 0}

    def second_fails(self, name, content, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            _disk_full(self, name, content)
        return original(self, name, content, *args, **kwargs)

    monkeypatch.setattr(FileSystemStorage, "_save", second_fails)
    files = [
        SimpleUploadedFile("一.pdf", PDF, content_type="application/pdf"),
        SimpleUploadedFile("二.pdf", PDF, content_type="application/pdf"),
    ]
    with pytest.raises(OSError) as raised:
        services.save_entry(
            user=staff_a,
            item=item,
            unit=unit_a,
            month=1,
            version=1,
            narrative="兩個檔案",
            values={},
            files=files,
        )
    assert raised.value.errno == errno.ENOSPC
    # No orphan row, and no orphan file: the first file is deleted when the save rolls back.
    assert snapshot() == before
    assert Evidence.objects.count() == 0

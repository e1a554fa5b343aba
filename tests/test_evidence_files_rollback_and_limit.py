"""A save that rolls back leaves no evidence file in storage; an entry holds at most
EVIDENCE_MAX_FILES_PER_ENTRY files; a file removed from an entry stays in storage on purpose."""

import errno
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from strategies.errors import DomainError
from strategies.models import Evidence, MonthlyEntry
from strategies.services import entries as services
from tests import evidence_samples as samples
from tests.conftest import login

pytestmark = pytest.mark.django_db


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def pdfs(*names: str) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(name, samples.PDF, content_type="application/pdf") for name in names]


def _save(staff, item, unit, files, version=0):  # type: ignore[no-untyped-def]
    return services.save_entry(
        user=staff,
        item=item,
        unit=unit,
        month=1,
        version=version,
        narrative="附簽到表",
        values={},
        files=files,
    )


def test_a_full_disk_on_the_second_file_leaves_neither_file(
    item, unit_a, staff_a, settings, monkeypatch
):
    original = FileSystemStorage._save
    calls = []

    def second_fails(self, name, content, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(name)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", name)
        return original(self, name, content, *args, **kwargs)

    monkeypatch.setattr(FileSystemStorage, "_save", second_fails)
    with pytest.raises(OSError):
        _save(staff_a, item, unit_a, pdfs("一.pdf", "二.pdf"))
    assert len(calls) == 2  # the first file did reach storage
    assert stored_files(settings) == []
    assert not MonthlyEntry.objects.exists()
    assert not Evidence.objects.exists()


def test_a_save_that_fails_after_its_file_was_written_leaves_no_file(
    item, unit_a, staff_a, settings, monkeypatch
):
    def refuse(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValidationError("the row cannot be saved")

    monkeypatch.setattr(Evidence, "full_clean", refuse)
    with pytest.raises(ValidationError):
        _save(staff_a, item, unit_a, pdfs("簽到表.pdf"))
    assert stored_files(settings) == []
    assert not Evidence.objects.exists()


def test_adding_files_to_a_saved_entry_that_roll_back_leaves_no_file(
    item, unit_a, staff_a, settings, monkeypatch
):
    entry = _save(staff_a, item, unit_a, [])
    original = FileSystemStorage._save
    calls = []

    def second_fails(self, name, content, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(name)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", name)
        return original(self, name, content, *args, **kwargs)

    monkeypatch.setattr(FileSystemStorage, "_save", second_fails)
    with pytest.raises(OSError):
        _save(staff_a, item, unit_a, pdfs("一.pdf", "二.pdf"), version=entry.version)
    assert stored_files(settings) == []
    entry.refresh_from_db()
    assert entry.version == 1  # the save rolled back whole


def test_a_successful_save_keeps_its_files(item, unit_a, staff_a, settings):
    _save(staff_a, item, unit_a, pdfs("一.pdf", "二.pdf"))
    assert len(stored_files(settings)) == 2 == Evidence.objects.count()


def test_an_entry_holds_at_most_the_limit(item, unit_a, staff_a, settings):
    settings.EVIDENCE_MAX_FILES_PER_ENTRY = 3
    entry = _save(staff_a, item, unit_a, pdfs("一.pdf", "二.pdf"))
    with pytest.raises(DomainError, match="每筆填報最多 3 個佐證檔案；這筆已有 2 個，再加上 2 個"):
        _save(staff_a, item, unit_a, pdfs("三.pdf", "四.pdf"), version=entry.version)
    entry.refresh_from_db()
    assert entry.evidence.count() == 2
    assert len(stored_files(settings)) == 2
    # Within the limit, and after removing one, it works.
    first = entry.evidence.order_by("pk").first()
    services.save_entry(
        user=staff_a,
        item=item,
        unit=unit_a,
        month=1,
        version=entry.version,
        narrative="換檔",
        values={},
        files=pdfs("三.pdf", "四.pdf"),
        remove_evidence=[first.pk],
    )
    assert entry.evidence.count() == 3


def test_the_limit_is_shown_on_the_page(client, item, unit_a, staff_a, settings):
    settings.EVIDENCE_MAX_FILES_PER_ENTRY = 1
    login(client, staff_a)
    indicator = item.indicators.get()
    response = client.post(
        reverse("strategies:entry-edit", args=[item.pk, unit_a.pk, 1]),
        {
            "version": 0,
            "narrative": "附簽到表",
            "action": "save",
            f"value_{indicator.pk}": "1",
            "evidence": pdfs("一.pdf", "二.pdf"),
        },
    )
    assert response.status_code == 400
    assert "每筆填報最多 1 個佐證檔案" in response.content.decode()
    assert not MonthlyEntry.objects.exists()
    assert stored_files(settings) == []


def test_a_removed_file_stays_in_storage_by_design(item, unit_a, staff_a, settings):
    entry = _save(staff_a, item, unit_a, pdfs("錯的檔案.pdf"))
    evidence = entry.evidence.get()
    services.save_entry(
        user=staff_a,
        item=item,
        unit=unit_a,
        month=1,
        version=entry.version,
        narrative="移除",
        values={},
        remove_evidence=[evidence.pk],
    )
    assert not Evidence.objects.exists()
    assert [p.name for p in stored_files(settings)] == [Path(evidence.file.name).name]

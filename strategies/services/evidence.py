"""Evidence files (佐證資料) attached to monthly entries: checked by content before anything is
written (strategies.evidence), stored under MEDIA_ROOT with a name of ours, hashed, and
recorded in the entry's history."""

import hashlib
import uuid
from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile

from strategies import evidence as evidence_rules
from strategies.models import Evidence, MonthlyEntry


def check_files(files: Sequence[UploadedFile]) -> list[evidence_rules.Sniffed]:
    """Check every file before anything is written; DomainError names the first bad one."""
    return [
        evidence_rules.check_file(f.name or "", f.size or 0, f)  # type: ignore[arg-type]
        for f in files
    ]


def store_evidence(*, user, entry: MonthlyEntry, files: Sequence[UploadedFile]) -> list[Evidence]:  # type: ignore[no-untyped-def]
    stored = []
    for upload, sniffed in zip(files, check_files(files), strict=True):
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        item = Evidence(
            entry=entry,
            original_name=(upload.name or "evidence")[-200:],
            content_type=sniffed.content_type,
            size=upload.size or 0,
            sha256=digest.hexdigest(),
            uploaded_by=user,
        )
        # The stored name is ours: the uploaded name never reaches the filesystem.
        item.file.save(f"{uuid.uuid4().hex}{sniffed.extension}", upload, save=False)
        item._history_user = user  # type: ignore[attr-defined]
        item.full_clean()
        item.save()
        stored.append(item)
    return stored

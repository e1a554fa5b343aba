"""Evidence files (佐證資料): what a file is, decided by its content, not its name.

Allowed: PDF, JPG, PNG, and the ZIP-based office formats ODT, ODS (by their `mimetype` member)
and DOCX, XLSX (by the main part declared in `[Content_Types].xml`). Anything else, a file whose
content does not match its extension, or a file over settings.EVIDENCE_MAX_BYTES is refused with
a message a person can act on.
"""

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO
from xml.etree import ElementTree as ET  # noqa: S405 - parsing the member only, no entities

from django.conf import settings
from django.utils.translation import gettext as _

from strategies.bounded_files import declared_member_count
from strategies.errors import DomainError

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

EXTENSIONS = {
    PDF: {".pdf"},
    JPEG: {".jpg", ".jpeg"},
    PNG: {".png"},
    ODT: {".odt"},
    ODS: {".ods"},
    DOCX: {".docx"},
    XLSX: {".xlsx"},
}
ALLOWED_LABEL = "PDF、JPG、PNG、ODT、ODS、DOCX、XLSX"

_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
# A zip bomb must not be unpacked to look at it: the parts read are small.
_MAX_MEMBER_BYTES = 2 * 1024 * 1024
# ... nor its directory parsed when it declares more members than any office document has.
_MAX_MEMBERS = 10_000


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str


def sniff_bytes(data: bytes) -> str | None:
    """The content type of the bytes, or None when it is not an allowed kind."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    return None


def _read_member(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _MAX_MEMBER_BYTES:
        return None
    return archive.read(info)


def _sniff_zip(data: bytes) -> str | None:
    count = declared_member_count(data)
    if count is not None and count > _MAX_MEMBERS:
        return None  # its directory alone would cost more than the file is worth reading
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            mimetype = _read_member(archive, "mimetype")
            if mimetype is not None:
                kind = mimetype.strip().decode("ascii", "replace")
                return kind if kind in {ODT, ODS} else None
            types = _read_member(archive, "[Content_Types].xml")
            if types is None:
                return None
            root = ET.fromstring(types)  # noqa: S314 - a small member, no DTDs in OOXML
            for override in root.iter(f"{_CT_NS}Override"):
                main = _OOXML_MAIN.get(override.get("ContentType", ""))
                if main is not None:
                    return main
    except (zipfile.BadZipFile, ET.ParseError, OSError, ValueError):
        return None
    return None


def check_file(name: str, size: int, stream: IO[bytes]) -> Sniffed:
    """Check an uploaded file; raise DomainError naming what is wrong.

    Reads the whole file (at most EVIDENCE_MAX_BYTES) and leaves the stream at its start.
    """
    limit = settings.EVIDENCE_MAX_BYTES
    if size > limit:
        raise DomainError(
            _("「%(name)s」有 %(size)s MB，超過每個檔案 %(limit)s MB 的上限。")
            % {"name": name, "size": f"{size / 1024 / 1024:.1f}", "limit": limit // 1024 // 1024}
        )
    if size == 0:
        raise DomainError(_("「%(name)s」是空檔案。") % {"name": name})
    stream.seek(0)
    data = stream.read(limit + 1)
    stream.seek(0)
    if len(data) > limit:
        raise DomainError(
            _("「%(name)s」超過每個檔案 %(limit)s MB 的上限。")
            % {"name": name, "limit": limit // 1024 // 1024}
        )
    kind = sniff_bytes(data)
    if kind is None:
        raise DomainError(
            _("「%(name)s」不是可接受的檔案類型；佐證資料限 %(allowed)s。")
            % {"name": name, "allowed": ALLOWED_LABEL}
        )
    extension = PurePath(name).suffix.lower()
    if extension not in EXTENSIONS[kind]:
        raise DomainError(
            _("「%(name)s」的內容與副檔名不符（內容是 %(kind)s），請確認檔案後重新上傳。")
            % {"name": name, "kind": sorted(EXTENSIONS[kind])[0][1:].upper()}
        )
    return Sniffed(content_type=kind, extension=extension)

"""Every file the app offers to the browser goes out through `attachment_response`.

The name is offered twice (RFC 6266 / RFC 8187): `filename*` in UTF-8 for the Chinese name
people expect (高雄分局112年度提升服務效能執行績效與成果.pdf) and a plain ASCII `filename` for
clients that do not read `filename*`. Quotes, backslashes and line breaks never reach the header.

>>> content_disposition("高雄分局112年度.pdf", fallback="khh-112.pdf")
'attachment; filename="khh-112.pdf"; filename*=UTF-8\\'\\'%E9%AB%98%E9%9B%84%E5%88%86%E5%B1%80112%E5%B9%B4%E5%BA%A6.pdf'
>>> content_disposition("plan.xlsx")
'attachment; filename="plan.xlsx"'
>>> ascii_fallback("高雄分局 112 年度.pdf")
'112.pdf'
"""

import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote

from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase

_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/]+')
_NOT_TOKEN = re.compile(r"[^A-Za-z0-9._-]+")


def _clean(filename: str) -> str:
    return _UNSAFE.sub("_", filename).strip() or "download"


def ascii_fallback(filename: str) -> str:
    """An ASCII name for old clients: accents stripped, everything else dropped; the extension
    kept. "高雄分局 112 年度.pdf" -> "112.pdf"; a name with nothing ASCII left -> "download.pdf"."""
    stem, dot, extension = _clean(filename).rpartition(".")
    if not dot:
        stem, extension = extension, ""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = _NOT_TOKEN.sub("-", ascii_stem).strip("-.") or "download"
    ascii_extension = _NOT_TOKEN.sub("", extension)
    return f"{ascii_stem}.{ascii_extension}" if ascii_extension else ascii_stem


def content_disposition(filename: str, *, fallback: str = "") -> str:
    """`attachment; filename="<ascii>"` plus `filename*=UTF-8''<name>` when the name is not ASCII."""
    name = _clean(filename)
    plain = ascii_fallback(fallback or name)
    if name.isascii() and name == plain:
        return f'attachment; filename="{plain}"'
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def attachment_response(
    content: bytes | Iterable[bytes],
    *,
    filename: str,
    content_type: str,
    fallback: str = "",
    size: int | None = None,
    sha256: str = "",
) -> HttpResponseBase:
    """A download: bytes in memory, or an open file (streamed, not read into memory)."""
    if isinstance(content, bytes):
        response: HttpResponseBase = HttpResponse(content, content_type=content_type)
        size = len(content)
    else:
        response = FileResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, fallback=fallback)
    if size is not None:
        response["Content-Length"] = str(size)
    if sha256:
        response["X-Content-SHA256"] = sha256
    return response

"""Reading files that come from outside (uploads, imports, archives) within hard limits.

Every limit is checked before the work it would cost: a zip's member count is read from its
end record before the directory is parsed, each member's declared size before it is inflated
(zipfile never inflates a member past its declared size), a JSON document's size before it is
parsed and its depth as it is. Whoever calls names the error to raise, so each importer keeps
its own error type and wording around the limit's message.

Used by the plan workbook (strategies/plan_excel.py, which also bounds the sheets' extent),
evidence sniffing (strategies/evidence.py), backup archives (strategies/backup/archive.py) and
the JSON report import (perfreport/reports/importing.py).
"""

import io
import json
import zipfile
from collections.abc import Callable, Iterable
from typing import Any

from strategies.errors import DomainError

Refuse = Callable[[str], DomainError]

_END_OF_DIRECTORY = b"PK\x05\x06"
_END_RECORD_SIZE = 22
_MAX_COMMENT = 65535


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def declared_member_count(data: bytes) -> int | None:
    """How many members the zip's end-of-central-directory record declares, read from the
    last bytes alone, or more than any limit when the directory it declares is larger than
    that many entries could fill (zipfile parses the whole directory, whatever the count
    says); None when there is no such record (not a zip, or truncated)."""
    tail = data[-(_MAX_COMMENT + _END_RECORD_SIZE) :]
    at = tail.rfind(_END_OF_DIRECTORY)
    if at < 0 or len(tail) - at < _END_RECORD_SIZE:
        return None
    count = int.from_bytes(tail[at + 10 : at + 12], "little")
    directory_bytes = int.from_bytes(tail[at + 12 : at + 16], "little")
    # A directory entry is 46 bytes plus its name, extra field and comment.
    return max(count, directory_bytes // _MAX_ENTRY_BYTES)


_MAX_ENTRY_BYTES = 1024


def open_zip(
    data: bytes,
    *,
    max_members: int,
    member_limit: Callable[[str], int],
    max_total: int,
    refuse: Refuse,
) -> zipfile.ZipFile:
    """The zip in `data`, once its member count, every member's declared size and their sum
    are within the limits; `refuse(message)` is raised otherwise. zipfile's own errors
    (BadZipFile, ...) pass through for the caller's "damaged file" message.

    A count of 0xFFFF is the ZIP64 marker: no file read here needs ZIP64, so it is refused
    with the others (before zipfile would parse a directory of unknown size)."""
    count = declared_member_count(data)
    if count is not None and count > max_members:
        shown = "超過 65,535" if count == 0xFFFF else f"{count:,}"
        raise refuse(f"壓縮檔含有 {shown} 個成員，超過上限 {max_members:,} 個，已拒絕。")
    archive = zipfile.ZipFile(io.BytesIO(data))
    try:
        infos = archive.infolist()
        if len(infos) > max_members:
            raise refuse(f"壓縮檔含有 {len(infos):,} 個成員，超過上限 {max_members:,} 個，已拒絕。")
        total = 0
        for info in infos:
            limit = member_limit(info.filename)
            if info.file_size > limit:
                raise refuse(
                    f"壓縮檔中的「{info.filename[:80]}」解壓縮後有 {megabytes(info.file_size)}，"
                    f"超過上限 {megabytes(limit)}，已拒絕。"
                )
            total += info.file_size
        if total > max_total:
            raise refuse(
                f"壓縮檔解壓縮後共 {megabytes(total)}，超過上限 {megabytes(max_total)}，已拒絕。"
            )
    except BaseException:
        archive.close()
        raise
    return archive


# --- JSON -------------------------------------------------------------------------------------


def _refuse_constant(name: str) -> Any:
    raise _NonFinite(name)


class _NonFinite(ValueError):
    pass


def json_depth_over(document: Any, limit: int) -> bool:
    """Does the parsed document nest containers deeper than `limit`? Iterative: no recursion."""
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def load_json(raw: bytes | str, *, max_bytes: int, max_depth: int, refuse: Refuse) -> Any:
    """The parsed document, or `refuse(message)` raised for a document too large, nested
    deeper than `max_depth`, or holding NaN / Infinity (which JSON itself does not allow).
    Malformed JSON and bad UTF-8 raise json's own errors for the caller's message."""
    size = len(raw.encode("utf-8") if isinstance(raw, str) else raw)
    if size > max_bytes:
        raise refuse(
            f"檔案有 {megabytes(size)}，超過上限 {megabytes(max_bytes)}，請確認是否為正確的檔案。"
        )
    try:
        document = json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError:
        document = None
        too_deep = True
    except _NonFinite as error:
        raise refuse(
            f"檔案含有 {error.args[0]}：JSON 不允許 NaN 或 Infinity，數值必須是有限的數字。"
        ) from None
    else:
        too_deep = json_depth_over(document, max_depth)
    if too_deep:
        raise refuse(f"檔案的巢狀層次超過 {max_depth} 層，不是本系統產生的檔案，已拒絕。")
    return document

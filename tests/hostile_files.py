"""Small files that would cost a careless reader gigabytes: for the limit tests, the bad-input
corpus and benchmarks/hostile_files.py. Each builder returns the file's bytes (a few KB)."""

import hashlib
import io
import json
import re
import zipfile

from openpyxl import Workbook

SHEETS = ["構面一", "構面二", "構面三", "構面四", "構面五"]
LAST_ROW = 1_048_576  # Excel's last row
LAST_COLUMN = "XFD"  # Excel's last column (16,384)


def _workbook(sheets: list[str], fill) -> bytes:  # type: ignore[no-untyped-def]
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title in sheets:
        fill(workbook.create_sheet(title))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def one_cell_at_the_last_row() -> bytes:
    """Five dimension sheets, each with a title and one cell at row 1,048,576."""

    def fill(ws) -> None:  # type: ignore[no-untyped-def]
        ws.cell(1, 1, f"{ws.title}：基礎服務 (200 分)")
        ws.cell(LAST_ROW, 1, "x")

    return _workbook(SHEETS, fill)


def _rewrite(data: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    """The zip with every worksheet part passed through `change(xml_text)`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                body = change(body.decode("utf-8")).encode("utf-8")
            target.writestr(info.filename, body)
    return out.getvalue()


def last_row_hidden_by_a_false_dimension() -> bytes:
    """The same, but each sheet declares its extent as A1 only: the rows themselves must be
    counted."""
    return _rewrite(
        one_cell_at_the_last_row(),
        lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1"/>', xml),
    )


def one_cell_in_the_last_column() -> bytes:
    def fill(ws) -> None:  # type: ignore[no-untyped-def]
        ws.cell(1, 1, f"{ws.title}：基礎服務 (200 分)")
        ws[f"{LAST_COLUMN}3"] = "x"

    return _workbook(SHEETS, fill)


def too_many_sheets(count: int = 300) -> bytes:
    return _workbook([f"S{n}" for n in range(count)], lambda ws: None)


def too_many_cells(rows: int = 4_000, columns: int = 60) -> bytes:
    """240,000 empty-valued cells written straight into the sheet XML (each within the row and
    column limits)."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(c) for c in range(1, columns + 1)]
    body = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{c}{r}"/>' for c in letters) + "</row>"
        for r in range(1, rows + 1)
    )

    def change(xml: str) -> str:
        return re.sub(
            r"<sheetData\s*/>|<sheetData>.*</sheetData>",
            f"<sheetData>{body}</sheetData>",
            xml,
            flags=re.S,
        )

    return _rewrite(_workbook(SHEETS[:1], lambda ws: None), change)


def too_many_elements(count: int = 1_000_001) -> bytes:
    """A sheet padded with elements openpyxl ignores (an unknown namespace), within every byte
    limit: only the element count stops it."""
    padding = "<x:p/>" * count

    def change(xml: str) -> str:
        return xml.replace("<sheetData", f'<x:pad xmlns:x="urn:pad">{padding}</x:pad><sheetData', 1)

    return _rewrite(_workbook(SHEETS[:1], lambda ws: None), change)


def zip_bomb(member: str = "xl/worksheets/sheet1.xml", size: int = 60 * 1024 * 1024) -> bytes:
    """A sheet part that inflates to `size` bytes of blanks (about 60 KB compressed)."""
    base = _workbook(SHEETS[:1], lambda ws: None)
    source = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == member:
                with target.open(member, "w", force_zip64=False) as stream:
                    chunk = b" " * (1024 * 1024)
                    for _ in range(size // len(chunk)):
                        stream.write(chunk)
            else:
                target.writestr(info.filename, source.read(info))
    return out.getvalue()


def inflating_member(name: str, size: int) -> bytes:
    """A zip of one member that inflates to `size` bytes of blanks."""
    out = io.BytesIO()
    archive = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED)
    with archive, archive.open(name, "w") as stream:
        chunk = b" " * (1024 * 1024)
        for _ in range(size // len(chunk)):
            stream.write(chunk)
    return out.getvalue()


def many_members(count: int = 5_000) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for n in range(count):
            archive.writestr(f"m{n}", b"")
    return out.getvalue()


def directory_larger_than_its_count(count: int = 20_000) -> bytes:
    """Many members, but an end record that declares one: zipfile would still parse them all."""
    data = bytearray(many_members(count))
    at = data.rfind(b"PK\x05\x06")
    data[at + 8 : at + 12] = (1).to_bytes(2, "little") * 2
    return bytes(data)


def deeply_nested_json(depth: int = 100_000) -> bytes:
    return b'{"schema": ' + b"[" * depth + b"]" * depth + b"}"


def moderately_nested_json(depth: int = 200) -> bytes:
    """Deeper than any document of ours, shallow enough for json itself."""
    return json.dumps({"schema": json.loads("[" * depth + "]" * depth)}).encode()


def forged_backup(archive: bytes, change=None, members=None) -> bytes:  # type: ignore[no-untyped-def]
    """The archive with data.json changed and the manifest's checksums made to match again,
    as anyone holding the file could do."""
    source = zipfile.ZipFile(io.BytesIO(archive))
    bodies = {name: source.read(name) for name in source.namelist()}
    data = json.loads(bodies["data.json"])
    if change is not None:
        change(data)
    bodies["data.json"] = json.dumps(data, ensure_ascii=False).encode()
    bodies.update(members or {})
    manifest = json.loads(bodies["manifest.json"])
    manifest["checksums"] = {
        name: hashlib.sha256(body).hexdigest()
        for name, body in bodies.items()
        if name not in {"manifest.json", "manifest.sha256"}
    }
    bodies["manifest.json"] = json.dumps(manifest).encode()
    bodies["manifest.sha256"] = (
        hashlib.sha256(bodies["manifest.json"]).hexdigest() + "  manifest.json\n"
    ).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, body in bodies.items():
            target.writestr(name, body)
    return out.getvalue()

"""Small real files of each kind, built in memory, for the evidence tests."""

import io
import zipfile

import openpyxl

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
EXE = b"MZ\x90\x00" + b"\x00" * 64
HTML = b"<html><script>alert(1)</script></html>"


def xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = "教育訓練"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def docx(
    main: str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
) -> bytes:
    types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main}"/>'
        "</Types>"
    )
    return _zip({"[Content_Types].xml": types.encode(), "word/document.xml": b"<w:document/>"})


def odf(kind: str = "application/vnd.oasis.opendocument.text") -> bytes:
    return _zip({"mimetype": kind.encode(), "content.xml": b"<office:document-content/>"})


def plain_zip() -> bytes:
    return _zip({"readme.txt": b"hello"})

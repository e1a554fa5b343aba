"""Evidence files are recognised by their content, not their name."""

import io

import pytest

from strategies import evidence
from strategies.errors import DomainError
from tests import evidence_samples as samples


def check(name: str, data: bytes):
    return evidence.check_file(name, len(data), io.BytesIO(data))


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("報告.pdf", samples.PDF, evidence.PDF),
        ("照片.JPG", samples.JPG, evidence.JPEG),
        ("照片.jpeg", samples.JPG, evidence.JPEG),
        ("截圖.png", samples.PNG, evidence.PNG),
        ("簽到表.xlsx", samples.xlsx(), evidence.XLSX),
        ("紀錄.docx", samples.docx(), evidence.DOCX),
        ("紀錄.odt", samples.odf(), evidence.ODT),
        ("統計.ods", samples.odf(evidence.ODS), evidence.ODS),
    ],
)
def test_allowed_kinds_are_recognised(name, data, kind):
    assert check(name, data).content_type == kind


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("程式.exe", samples.EXE),
        ("網頁.html", samples.HTML),
        ("壓縮檔.zip", samples.plain_zip()),
        ("巨集.docm", samples.docx("application/vnd.ms-word.document.macroEnabled.main+xml")),
        ("簡報.odp", samples.odf("application/vnd.oasis.opendocument.presentation")),
    ],
)
def test_forbidden_kinds_are_refused(name, data):
    with pytest.raises(DomainError, match="不是可接受的檔案類型"):
        check(name, data)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("報告.pdf", samples.EXE),  # a program renamed to look like a PDF
        ("報告.pdf", samples.HTML),
        ("報告.docx", samples.plain_zip()),
        ("簽到表.xlsx", samples.docx()),  # a Word file named as a workbook
    ],
)
def test_renamed_files_are_refused(name, data):
    with pytest.raises(DomainError):
        check(name, data)


def test_content_that_does_not_match_the_extension_is_refused():
    with pytest.raises(DomainError, match="內容與副檔名不符"):
        check("照片.pdf", samples.PNG)


def test_file_over_the_limit_is_refused(settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(DomainError, match="上限"):
        check("報告.pdf", samples.PDF + b"0" * 2048)


def test_empty_file_is_refused():
    with pytest.raises(DomainError, match="空檔案"):
        check("報告.pdf", b"")

"""Every download offers its Chinese name (RFC 6266 filename*) with an ASCII fallback."""

from urllib.parse import quote

from strategies.downloads import ascii_fallback, attachment_response, content_disposition


def test_a_chinese_name_with_its_ascii_fallback():
    header = content_disposition(
        "高雄分局112年度提升服務效能執行績效與成果.pdf", fallback="khh-112-service-performance.pdf"
    )
    assert header == (
        'attachment; filename="khh-112-service-performance.pdf"; '
        "filename*=UTF-8''" + quote("高雄分局112年度提升服務效能執行績效與成果.pdf")
    )


def test_an_ascii_name_is_sent_once():
    assert content_disposition("plan-113.xlsx") == 'attachment; filename="plan-113.xlsx"'


def test_without_a_given_fallback_one_is_made_from_the_name():
    assert ascii_fallback("高雄分局 112 年度.pdf") == "112.pdf"
    assert ascii_fallback("簽到表.pdf") == "download.pdf"
    assert ascii_fallback("Café menu.xlsx") == "Cafe-menu.xlsx"


def test_quotes_and_line_breaks_never_reach_the_header():
    header = content_disposition('a"b\r\nSet-Cookie: x.pdf')
    assert "\r" not in header and "\n" not in header
    assert header.count('"') == 2


def test_the_response_carries_length_and_hash():
    response = attachment_response(
        b"{}",
        filename="報告.json",
        fallback="report.json",
        content_type="application/json",
        sha256="ab" * 32,
    )
    assert response["Content-Length"] == "2"
    assert response["X-Content-SHA256"] == "ab" * 32
    assert response["Content-Disposition"].startswith('attachment; filename="report.json"; ')

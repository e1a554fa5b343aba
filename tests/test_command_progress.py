"""Long commands show progress: plain numbered lines when not on a terminal, a bar on one."""

import io

import pytest
from django.core.management import call_command

from strategies.progress import progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_when_not_a_terminal():
    out = io.StringIO()
    assert list(progress(["a", "b"], desc="處理年度", stream=out)) == ["a", "b"]
    assert out.getvalue() == "處理年度 [1/2] a\n處理年度 [2/2] b\n"


def test_a_bar_on_a_terminal():
    out = Terminal()
    assert list(progress(range(3), desc="處理年度", stream=out, unit="年度")) == [0, 1, 2]
    assert "3/3" in out.getvalue() and "100%" in out.getvalue()


@pytest.mark.django_db
def test_export_report_says_each_step(tmp_path, year, item):
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "report.json"
    call_command(
        "export_report", "--org", "khh", "--year", "113", "--format", "json",
        "--output", str(target), stdout=out, stderr=err,
    )  # fmt: skip
    assert err.getvalue().splitlines() == [
        "匯出 json [1/2] 產生檔案",
        f"匯出 json [2/2] 寫入 {target}",
    ]
    assert target.read_bytes().startswith(b"{")

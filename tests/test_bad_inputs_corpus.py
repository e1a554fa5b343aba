"""A corpus of bad inputs across forms, uploads, imports and commands.

Each bad input gets a clear error and changes nothing (every row of every table is compared
before and after, and the stored evidence files too). Text that is unusual but valid (emoji, rare
CJK characters such as 𠮷 𡘙 喆, combining marks, invisible joiners) is stored exactly, and
nothing else changes.
"""

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from perfreport.reports.exporters import get_exporter
from perfreport.reports.selectors import build_report
from scoring.backup_specs import ALL_SPECS
from strategies.backup import build_backup
from strategies.models import EntryComment, Evidence, IndicatorValue, MonthlyEntry, Unit
from strategies.services import entries as services
from tests import hostile_files
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
RARE = "𠮷𡘙喆"
EMOJI = "😀👍🏽👨‍👩‍👧"


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table (login bookkeeping aside), and the stored files."""
    rows: dict[str, Any] = {
        m._meta.label: list(m._base_manager.order_by("pk").values_list())
        for m in apps.get_models()
        if m._meta.app_label not in {"sessions", "axes"}
    }
    media = Path(django_settings.MEDIA_ROOT)
    rows["files"] = (
        sorted(str(p) for p in media.rglob("*") if p.is_file()) if media.exists() else []
    )
    return rows


@dataclass
class World:
    year: Any
    item: Any
    unit_a: Any
    indicator: Any
    submitted: Any
    clients: dict[str, Client]  # logged in before the snapshot (login stamps last_login)
    tmp: Path

    def client(self, who: str) -> Client:
        return self.clients[who]

    def entry_url(self, month: int = 1) -> str:
        return reverse("strategies:entry-edit", args=[self.item.pk, self.unit_a.pk, month])

    def post_entry(self, month: int = 1, files=None, **fields):  # type: ignore[no-untyped-def]
        data = {
            "version": 0,
            "narrative": "本月辦理教育訓練",
            f"value_{self.indicator.pk}": "1",
            "action": "save",
            **fields,
        }
        if files is not None:
            data["evidence"] = files
        return self.client("staff_a").post(self.entry_url(month), data)

    def json_document(self) -> dict:
        content = get_exporter("json").render(build_report(self.year, include_entries=True))[2]
        document = json.loads(content)
        document["organization"]["code"] = "new"  # a fresh organization: a clean import
        return document

    def write(self, name: str, data: bytes) -> str:
        path = self.tmp / name
        path.write_bytes(data)
        return str(path)


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def w(year, item, unit_a, staff_a, head_a, admin_user, tmp_path):
    indicator = item.indicators.get()
    submitted = services.save_entry(
        user=staff_a,
        item=item,
        unit=unit_a,
        month=3,
        version=0,
        narrative="三月已送出",
        values={indicator.pk: 2},
        submit=True,
        files=[upload("三月簽到表.pdf", PDF)],
    )
    # A draft of February by the head: staff's form from version 0 is stale.
    services.save_entry(
        user=head_a, item=item, unit=unit_a, month=2, version=0, narrative="二月草稿", values={}
    )
    return World(
        year=year,
        item=item,
        unit_a=unit_a,
        indicator=indicator,
        submitted=submitted,
        clients={
            "staff_a": _client(staff_a),
            "head_a": _client(head_a),
            "admin": _client(admin_user),
        },
        tmp=tmp_path,
    )


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):  # type: ignore[no-untyped-def]
    return SimpleUploadedFile(name, data, content_type=content_type)


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# --- what a person sees ---------------------------------------------------------------------


def page(response) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """The status and the text shown, following a redirect so flashed messages are included."""
    status = response.status_code
    text = response.content.decode()
    if status == 302:
        text += response.client.get(response.url).content.decode()
    return status, text


def upload_plan(w, data: bytes) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """The admin uploads `data` as plan.xlsx on the year's plan import page."""
    return page(
        w.client("admin").post(
            reverse("manage:plan-import", args=[w.year.pk]),
            {"file": upload("plan.xlsx", data)},
        )
    )


def command(*args: str) -> tuple[None, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except CommandError as exc:
        return None, str(exc)
    raise AssertionError(f"{args} succeeded: {out.getvalue()}")


def json_import(w: World, change: Callable[[dict], Any]) -> tuple[None, str]:
    document = w.json_document()
    change(document)
    return command("import_report", w.write("report.json", json.dumps(document).encode()))


@dataclass(frozen=True)
class Bad:
    id: str
    act: Callable[[World], tuple[int | None, str]]
    status: int | None  # None: a management command (CommandError)
    message: str  # part of the clear error the person sees


def _set(path: list, value: Any) -> Callable[[dict], None]:
    def change(document: dict) -> None:
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


BIG = 10 * 1024 * 1024 + 1
HTML = b"<html><script>alert(1)</script></html>"
HTML_SHA256 = hashlib.sha256(HTML).hexdigest()


def restore_forged(w: World, change=None, members=None) -> tuple[None, str]:  # type: ignore[no-untyped-def]
    """`restore` of this year's backup, edited as anyone holding the file could, for a new
    organization code and user names (so neither the year nor its members exist yet)."""

    def edit(data: dict) -> None:
        data["organization"]["code"] = "forged"
        for user in data["user"]:
            user["username"] += "-forged"
        if change is not None:
            change(data)

    archive = build_backup(organization=w.year.organization, roc_year=113, specs=ALL_SPECS)
    forged = hostile_files.forged_backup(archive, edit, members)
    return command("restore", w.write("b.zip", forged))


DIMENSION_ONE_RANGE = "構面一（基礎服務）的分數必須介於 0 與 200 分之間"


def value(w: World, raw: str) -> tuple[int, str]:
    return page(w.post_entry(**{f"value_{w.indicator.pk}": raw}))


def unit(w: World, name: str, kind: str) -> tuple[int, str]:
    return page(w.client("admin").post(reverse("manage:units"), {"name": name, "kind": kind}))


def score(w: World, first: str, **extra: str) -> tuple[int, str]:
    """The self-assessment with dimension one's score as given and the others valid."""
    data = {"score_1": first, "score_2": "280", "score_3": "180", "score_4": "180", "score_5": "80"}
    data.update(extra)
    url = reverse("scoring:score-edit", args=["khh", w.year.roc_year, "self"])
    return page(w.client("admin").post(url, data))


def password_change(
    w: World, old: str = PASSWORD, new2: str = "Kaohsiung-2025-pass"
) -> tuple[int, str]:
    data = {"old_password": old, "new_password1": "Kaohsiung-2025-pass", "new_password2": new2}
    return page(w.client("staff_a").post(reverse("password_change"), data))


BAD: list[Bad] = [
    # --- the entry form: month, numbers, text, version, action -----------------------------
    Bad("month-0", lambda w: page(w.post_entry(month=0)), 400, "月份必須是 1 到 12 月"),
    Bad("month-13", lambda w: page(w.post_entry(month=13)), 400, "月份必須是 1 到 12 月"),
    Bad("value-negative", lambda w: value(w, "-1"), 400, "請確認此數值是否大於或等於 0"),
    Bad("value-text", lambda w: value(w, "abc"), 400, "輸入一個數字"),
    Bad("value-decimal-for-count", lambda w: value(w, "1.5"), 400, "請填整數"),
    Bad("value-huge", lambda w: value(w, "1e20"), 400, "請確認數字全長不超過 12 位"),
    Bad("value-nan", lambda w: value(w, "NaN"), 400, "輸入一個數字"),
    Bad("value-infinity", lambda w: value(w, "Infinity"), 400, "輸入一個數字"),
    Bad(
        "narrative-over-limit",
        lambda w: page(w.post_entry(narrative="字" * 4001)),
        400,
        "至多包含 4000 個字",
    ),
    Bad(
        "narrative-nul-byte",
        lambda w: page(w.post_entry(narrative="前\x00後")),
        400,
        "不允許空（null）字元",
    ),
    Bad(
        "submit-without-narrative",
        lambda w: page(w.post_entry(narrative="  ", action="submit")),
        400,
        "送出前請填寫執行情形",
    ),
    Bad(
        "version-of-missing-entry",
        lambda w: page(w.post_entry(version="7")),
        400,
        "這筆填報已不存在",
    ),
    Bad(
        "stale-version", lambda w: page(w.post_entry(month=2, version="0")), 409, "您的修改沒有存入"
    ),
    Bad(
        "submitted-entry-edited",
        lambda w: page(w.post_entry(month=3, version=str(w.submitted.version))),
        400,
        "核定或退回前不能修改",
    ),
    # --- evidence uploads ------------------------------------------------------------------
    Bad(
        "file-exe",
        lambda w: page(w.post_entry(files=upload("tool.exe", b"MZ\x90\x00" + b"\x00" * 60))),
        400,
        "不是可接受的檔案類型",
    ),
    Bad(
        "file-exe-renamed-pdf",
        lambda w: page(w.post_entry(files=upload("簽到表.pdf", b"MZ\x90\x00" + b"\x00" * 60))),
        400,
        "不是可接受的檔案類型",
    ),
    Bad(
        "file-html-renamed-pdf",
        lambda w: page(w.post_entry(files=upload("a.pdf", b"<html><script>x</script>"))),
        400,
        "不是可接受的檔案類型",
    ),
    Bad(
        "file-png-named-pdf",
        lambda w: page(w.post_entry(files=upload("photo.pdf", PNG))),
        400,
        "內容與副檔名不符",
    ),
    Bad(
        "file-zip-named-docx",
        lambda w: page(w.post_entry(files=upload("a.docx", zipped({"a.txt": b"x"})))),
        400,
        "不是可接受的檔案類型",
    ),
    Bad("file-empty", lambda w: page(w.post_entry(files=upload("empty.pdf", b""))), 400, "空"),
    Bad(
        "file-too-large",
        lambda w: page(w.post_entry(files=upload("big.pdf", PDF + b"0" * BIG))),
        400,
        "10 MB",
    ),
    Bad(
        "file-second-of-two-bad",
        lambda w: page(w.post_entry(files=[upload("ok.pdf", PDF), upload("bad.png", b"GIF89a")])),
        400,
        "bad.png",
    ),
    Bad(
        "file-one-over-the-per-entry-limit",
        lambda w: page(w.post_entry(files=[upload(f"{n}.pdf", PDF) for n in range(21)])),
        400,
        "每筆填報最多 20 個佐證檔案",
    ),
    # --- comments, review, locks -----------------------------------------------------------
    Bad(
        "comment-empty",
        lambda w: page(
            w.client("head_a").post(
                reverse("strategies:entry-comment", args=[w.submitted.pk]), {"body": ""}
            )
        ),
        302,
        "請輸入意見內容",
    ),
    Bad(
        "comment-too-long",
        lambda w: page(
            w.client("head_a").post(
                reverse("strategies:entry-comment", args=[w.submitted.pk]), {"body": "意" * 2001}
            )
        ),
        302,
        "2000",
    ),
    Bad(
        "comment-nul-byte",
        lambda w: page(
            w.client("head_a").post(
                reverse("strategies:entry-comment", args=[w.submitted.pk]), {"body": "a\x00b"}
            )
        ),
        302,
        "請輸入意見內容",
    ),
    Bad(
        "return-without-reason",
        lambda w: page(
            w.client("head_a").post(
                reverse("strategies:entry-review", args=[w.submitted.pk]),
                {"version": w.submitted.version, "action": "return", "reason": ""},
            )
        ),
        302,
        "退回時請寫明原因",
    ),
    Bad(
        "review-unknown-action",
        lambda w: page(
            w.client("head_a").post(
                reverse("strategies:entry-review", args=[w.submitted.pk]),
                {"version": w.submitted.version, "action": "delete"},
            )
        ),
        302,
        "delete 不是一個可用的選項",
    ),
    Bad(
        "lock-month-13",
        lambda w: page(
            w.client("admin").post(
                reverse("strategies:month-locks", args=[w.year.pk]),
                {"month": "13", "action": "lock"},
            )
        ),
        400,
        "月份必須是 1 到 12 月",
    ),
    Bad(
        "lock-month-text",
        lambda w: page(
            w.client("admin").post(
                reverse("strategies:month-locks", args=[w.year.pk]),
                {"month": "一月", "action": "lock"},
            )
        ),
        400,
        "月份必須是 1 到 12 月",
    ),
    # --- score entry -----------------------------------------------------------------------
    Bad("score-over-maximum", lambda w: score(w, "201"), 400, DIMENSION_ONE_RANGE),
    Bad("score-negative", lambda w: score(w, "-1"), 400, DIMENSION_ONE_RANGE),
    Bad("score-text", lambda w: score(w, "滿分"), 400, DIMENSION_ONE_RANGE),
    Bad("score-two-decimals", lambda w: score(w, "100.25"), 400, "最多一位小數"),
    Bad(
        "score-comment-too-long",
        lambda w: score(w, "180", comment_3="評" * 2001),
        400,
        "構面三（服務量能）的評語最多 2000 字",
    ),
    Bad(
        "score-nul-byte-comment",
        lambda w: score(w, "180", comment_2="a\x00b"),
        400,
        "空（null）字元",
    ),
    # --- admin forms -----------------------------------------------------------------------
    Bad("unit-name-too-long", lambda w: unit(w, "科" * 51, "section"), 400, "至多包含 50 個字"),
    Bad(
        "unit-name-duplicate",
        lambda w: unit(w, "度量衡科", "section"),
        400,
        "已有名為「度量衡科」的單位",
    ),
    Bad(
        "unit-kind-unknown",
        lambda w: unit(w, "新科", "ministry"),
        400,
        "ministry 不是一個可用的選項",
    ),
    # --- plan import (Excel upload) --------------------------------------------------------
    Bad(
        "plan-file-pdf-renamed",
        lambda w: upload_plan(w, PDF),
        400,
        "Excel",
    ),
    Bad(
        "plan-file-broken-zip",
        lambda w: upload_plan(w, b"PK\x03\x04broken"),
        400,
        "Excel",
    ),
    Bad(
        "plan-file-too-large",
        lambda w: upload_plan(w, b"PK\x03\x04" + b"0" * BIG),
        400,
        "10 MB",
    ),
    # --- JSON report import (command) ------------------------------------------------------
    Bad(
        "json-malformed",
        lambda w: command("import_report", w.write("r.json", b'{"schema": ')),
        None,
        "JSON",
    ),
    Bad(
        "json-invalid-utf8",
        lambda w: command("import_report", w.write("r.json", b'{"a": "\xff\xfe"}')),
        None,
        "UTF-8",
    ),
    Bad(
        "json-empty-file", lambda w: command("import_report", w.write("r.json", b"")), None, "JSON"
    ),
    Bad(
        "json-not-an-object",
        lambda w: command("import_report", w.write("r.json", b"[1, 2]")),
        None,
        "JSON",
    ),
    Bad(
        "json-missing-file",
        lambda w: command("import_report", str(w.tmp / "nope.json")),
        None,
        "無法讀取",
    ),
    Bad(
        "json-wrong-schema-version",
        lambda w: json_import(w, _set(["schema_version"], 999)),
        None,
        "schema",
    ),
    Bad(
        "json-roc-year-text",
        lambda w: json_import(w, _set(["year", "roc_year"], "一一三")),
        None,
        "roc_year",
    ),
    Bad(
        "json-unknown-unit",
        lambda w: json_import(
            w,
            lambda d: d["dimensions"][0]["strategies"][0]["methods"][0]["items"][0].update(
                host_units=["不存在的科"]
            ),
        ),
        None,
        "不存在的科",
    ),
    # --- backup and restore (commands) -----------------------------------------------------
    Bad(
        "restore-not-a-zip",
        lambda w: command("restore", w.write("b.zip", b"hello")),
        None,
        "已損毀或不是 zip",
    ),
    Bad(
        "restore-truncated-zip",
        lambda w: command("restore", w.write("b.zip", b"PK\x03\x04\x14")),
        None,
        "已損毀或不是 zip",
    ),
    Bad(
        "restore-missing-file",
        lambda w: command("restore", str(w.tmp / "none.zip")),
        None,
        "找不到檔案",
    ),
    Bad(
        "backup-unknown-org",
        lambda w: command(
            "backup", "--org", "zzz", "--year", "113", "--output", str(w.tmp / "o.zip")
        ),
        None,
        "找不到代碼為「zzz」的機關",
    ),
    Bad(
        "backup-missing-year",
        lambda w: command(
            "backup", "--org", "khh", "--year", "99", "--output", str(w.tmp / "o.zip")
        ),
        None,
        "沒有 99 年度",
    ),
    Bad(
        "import-plan-pdf",
        lambda w: command("import_plan", w.write("p.xlsx", PDF), "--org", "khh", "--year", "114"),
        None,
        "不是 Excel 活頁簿",
    ),
    # --- hostile files: refused by their limits before any work ----------------------------
    Bad(
        "plan-file-one-cell-at-the-last-row",
        lambda w: upload_plan(w, hostile_files.one_cell_at_the_last_row()),
        400,
        "超過每個工作表 5,000 列",
    ),
    Bad(
        "plan-file-zip-bomb",
        lambda w: upload_plan(w, hostile_files.zip_bomb()),
        400,
        "超過上限 20.0 MB",
    ),
    Bad(
        "import-plan-false-dimension",
        lambda w: command(
            "import_plan",
            w.write("p.xlsx", hostile_files.last_row_hidden_by_a_false_dimension()),
            "--org",
            "khh",
            "--year",
            "114",
        ),
        None,
        "超過每個工作表 5,000 列",
    ),
    Bad(
        "import-plan-too-many-sheets",
        lambda w: command(
            "import_plan",
            w.write("p.xlsx", hostile_files.too_many_sheets()),
            "--org",
            "khh",
            "--year",
            "114",
        ),
        None,
        "工作表超過 20 個",
    ),
    Bad(
        "json-deep-nesting",
        lambda w: command("import_report", w.write("r.json", hostile_files.deeply_nested_json())),
        None,
        "巢狀層次超過 32 層",
    ),
    Bad(
        "json-nan-literal",
        lambda w: command("import_report", w.write("r.json", b'{"schema": NaN}')),
        None,
        "JSON 不允許 NaN 或 Infinity",
    ),
    Bad(
        "json-nan-score",
        lambda w: json_import(w, _set(["dimensions", 0, "max_score"], "NaN")),
        None,
        "「NaN」不是有限的數字",
    ),
    Bad(
        "json-maxima-not-1000",
        lambda w: json_import(w, _set(["dimensions", 0, "max_score"], "1000.0")),
        None,
        "各構面配分合計",
    ),
    Bad(
        "json-organization-name-contradicts-code",
        lambda w: json_import(
            w,
            lambda d: d["organization"].update(code="khh", name="另一個機關"),
        ),
        None,
        "與本系統中代碼 khh 的機關",
    ),
    Bad(
        "json-unknown-key",
        lambda w: json_import(w, _set(["year", "owner"], "someone")),
        None,
        "year.owner: 不認得的欄位",
    ),
    Bad(
        "json-text-over-a-cell",
        lambda w: json_import(
            w,
            lambda d: d["dimensions"][0]["strategies"][0]["methods"][0].update(
                description="說" * 32_768
            ),
        ),
        None,
        "超過上限 32,767 字",
    ),
    Bad(
        "restore-evidence-html",
        lambda w: restore_forged(
            w,
            lambda d: d["evidence"][0].update(
                original_name="x.html", content_type="text/html", sha256=HTML_SHA256
            ),
            {"files/evidence-1": HTML},
        ),
        None,
        "不是可接受的檔案類型",
    ),
    Bad(
        "restore-bad-year-status",
        lambda w: restore_forged(w, lambda d: d["year"].update(status="archived")),
        None,
        "年度狀態「archived」不是可用的值",
    ),
    Bad(
        "restore-parent-directory-member",
        lambda w: restore_forged(w, None, {"../evil.sh": b"rm -rf /"}),
        None,
        "不該有的成員名稱「../evil.sh」",
    ),
    Bad(
        "restore-deep-nesting",
        lambda w: restore_forged(w, None, {"data.json": hostile_files.deeply_nested_json()}),
        None,
        "巢狀層次超過 16 層",
    ),
    # --- commands --------------------------------------------------------------------------
    Bad(
        "copy-year-unknown-org",
        lambda w: command("copy_year", "--org", "zzz", "--from", "113", "--to", "114"),
        None,
        "zzz",
    ),
    Bad(
        "copy-year-onto-itself",
        lambda w: command("copy_year", "--org", "khh", "--from", "113", "--to", "113"),
        None,
        "不能相同",
    ),
    Bad(
        "copy-year-text-year",
        lambda w: command("copy_year", "--org", "khh", "--from", "113", "--to", "明年"),
        None,
        "明年",
    ),
    Bad(
        "score-sheet-missing-year",
        lambda w: command("score_sheet", "--org", "khh", "--year", "999"),
        None,
        "999",
    ),
    Bad(
        "export-unknown-format",
        lambda w: command(
            "export_report", "--org", "khh", "--year", "113", "--format", "exe", "--output", "-"
        ),
        None,
        "exe",
    ),
    Bad(
        "verify-unknown-org",
        lambda w: command("verify_report", "--org", "zzz", "--year", "113"),
        None,
        "zzz",
    ),
    Bad(
        "reminders-bad-date",
        lambda w: command("send_reminders", "--date", "2024-13-45"),
        None,
        "2024-13-45",
    ),
    # --- one's own password, and a forgotten one ------------------------------------------
    Bad(
        "password-wrong-old",
        lambda w: password_change(w, old="not-the-password"),
        200,
        "你的舊密碼不正確",
    ),
    Bad(
        "password-mismatch",
        lambda w: password_change(w, new2="Another-2025-pass"),
        200,
        "輸入的兩個密碼不一致",
    ),
    Bad(
        "password-reset-not-an-email",
        lambda w: page(Client().post(reverse("password_reset"), {"email": "staff_a"})),
        200,
        "請輸入有效的電子郵件地址",
    ),
]


@pytest.mark.parametrize("bad", BAD, ids=[b.id for b in BAD])
def test_bad_input_gets_a_clear_error_and_changes_nothing(bad: Bad, w: World):
    before = snapshot()
    status, text = bad.act(w)
    assert status == bad.status, text[:2000]
    assert bad.message in text, text[:3000]
    assert snapshot() == before


def test_the_corpus_is_large_and_varied():
    assert len(BAD) + len(GOOD) >= 40
    assert len({b.id.split("-")[0] for b in BAD}) >= 10


# --- unusual but valid text is stored exactly -----------------------------------------------


@dataclass(frozen=True)
class Good:
    id: str
    act: Callable[[World], Any]
    read_back: Callable[[World], str]
    expected: str
    changes: set[str]  # the model labels this input may change


ENTRY_TABLES = {
    "strategies.MonthlyEntry",
    "strategies.HistoricalMonthlyEntry",
    "strategies.IndicatorValue",
    "strategies.HistoricalIndicatorValue",
}
TEXTS = {
    "emoji": f"辦理說明會 {EMOJI}",
    "rare-cjk": f"{RARE} 先生協助辦理",
    "combining-marks": "Cafe\u0301 與 e\u0301",
    "zero-width-and-bidi": "甲\u200d乙\u200b丙\u202e丁\u202c",
    "at-the-limit-astral": "𠮷" * 4000,
    "html-and-formula-looking": '=SUM(A1) <b>粗</b> & "引號"',
}


def _narrative_of(month: int) -> Callable[[World], str]:
    return lambda w: MonthlyEntry.objects.get(item=w.item, unit=w.unit_a, month=month).narrative


GOOD: list[Good] = [
    *[
        Good(
            f"narrative-{name}",
            lambda w, text=text: w.post_entry(narrative=text),
            _narrative_of(1),
            text,
            ENTRY_TABLES,
        )
        for name, text in TEXTS.items()
    ],
    Good(
        "value-fullwidth-digits",  # typed with a Chinese input method: read as the number
        lambda w: w.post_entry(**{f"value_{w.indicator.pk}": "１２"}),
        lambda w: str(IndicatorValue.objects.get(entry__month=1).value),
        "12.00",
        ENTRY_TABLES,
    ),
    Good(
        "comment-rare-cjk-and-emoji",
        lambda w: w.client("head_a").post(
            reverse("strategies:entry-comment", args=[w.submitted.pk]),
            {"body": f"{RARE}{EMOJI} 請補充"},
        ),
        lambda w: EntryComment.objects.get().body,
        f"{RARE}{EMOJI} 請補充",
        # The entry's author is told of the comment.
        {"strategies.EntryComment", "strategies.Notification"},
    ),
    Good(
        "evidence-name-rare-cjk-and-emoji",
        # Django drops non-printable characters (the zero-width joiner too) from uploaded file
        # names, so the name is tested with printable emoji only.
        lambda w: w.post_entry(files=upload(f"佐證{RARE}😀👍🏽.pdf", PDF)),
        lambda w: Evidence.objects.get(entry__month=1).original_name,
        f"佐證{RARE}😀👍🏽.pdf",
        {*ENTRY_TABLES, "strategies.Evidence", "strategies.HistoricalEvidence", "files"},
    ),
    Good(
        "unit-name-rare-cjk",
        lambda w: w.client("admin").post(
            reverse("manage:units"), {"name": f"{RARE}科", "kind": "section"}
        ),
        lambda w: Unit.objects.get(name__startswith="𠮷").name,
        f"{RARE}科",
        {"strategies.Unit", "strategies.HistoricalUnit"},
    ),
]


@pytest.mark.parametrize("good", GOOD, ids=[g.id for g in GOOD])
def test_unusual_text_is_stored_exactly_and_nothing_else_changes(good: Good, w: World):
    before = snapshot()
    response = good.act(w)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert good.read_back(w) == good.expected
    after = snapshot()
    changed = {label for label in before if before[label] != after[label]}
    assert changed and changed <= good.changes, changed

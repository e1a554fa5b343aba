"""The plan as an Excel workbook, in the report's own layout, and back.

One sheet per dimension, named 構面一 … 構面五. Row 1: "構面一：基礎服務 (200 分)". Row 2: the
report's columns, then the plan's own columns to the right:

    A 執行策略 | B 執行方法 | C (the method's numbered sub-item) | D 主辦單位 | E 具體作法 |
    F 執行績效與成果 (1-12 月) | G 主辦單位明細 | H 量化指標 | I 計量單位 | J 目標值 |
    K 彙總方式 | L 可填小數

One row per item; strategy and method cells are merged over their rows (or repeated: both read
the same). Columns A-F are exactly the year-end report's workbook, so that workbook is itself a
valid plan file (its results column and its 考核結果統計表 sheet are ignored). An item with
several indicators lists them one per line in H-L.

This module knows files, not the database: `read_workbook` refuses what is not a sound .xlsx,
`parse_plan` turns sheets into specs and problems (sheet, row, column, reason);
strategies/plan_export.py writes a year. Matching specs against a year lives in services/plan_import.py.
"""

import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO
from xml.parsers import expat

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from strategies import numbering, plan_tree
from strategies.bounded_files import open_zip
from strategies.errors import DomainError
from strategies.models import Indicator

MAX_BYTES = 10 * 1024 * 1024
# Hard limits, checked on the zip and its XML before openpyxl reads anything: a plan has five
# dimension sheets of a few hundred rows and twelve columns, so these leave wide room while a
# hostile file (one cell at row 1,048,576, a million sheets, a zip bomb) is refused at once.
MAX_SHEETS = 20
MAX_ROWS = 5_000  # per sheet
MAX_COLUMNS = 64  # per sheet
MAX_CELLS = 200_000  # the whole workbook (shared strings count as cells too)
MAX_XML_ELEMENTS = 1_000_000  # every element of every part: styles, relations, sheets
MAX_MEMBERS = 500
MAX_PART_BYTES = 20 * 1024 * 1024  # one sheet or the shared strings, uncompressed
MAX_OTHER_PART_BYTES = 5 * 1024 * 1024  # styles, workbook, relations, images ...
# A .xlsx is a zip: refuse one that would inflate past this (a "zip bomb").
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HEADER = [
    "執行策略",
    "執行方法",
    "",
    "主辦單位",
    "具體作法",
    "執行績效與成果 (1-12 月)",
    "主辦單位明細",
    "量化指標",
    "計量單位",
    "目標值",
    "彙總方式",
    "可填小數",
]
WIDTHS = [14.0, 24.0, 26.0, 12.0, 44.0, 20.0, 18.0, 18.0, 8.0, 8.0, 10.0, 6.0]
COLUMN_NAMES = {i: name or "執行方法（子項）" for i, name in enumerate(HEADER, start=1)}
FIRST_DATA_ROW = 3
REPORT_SHEETS = {"封面", "考核結果統計表"}  # sheets of the report workbook that carry no plan
AGGREGATION_TEXT: dict[str, str] = {
    Indicator.Aggregation.SUM: "逐月加總",
    Indicator.Aggregation.LATEST: "取最新值",
}
_AGGREGATION_READ = {
    "": Indicator.Aggregation.SUM,
    "逐月加總": Indicator.Aggregation.SUM,
    "加總": Indicator.Aggregation.SUM,
    "sum": Indicator.Aggregation.SUM,
    "取最新值": Indicator.Aggregation.LATEST,
    "取最新值（累計數）": Indicator.Aggregation.LATEST,
    "最新值": Indicator.Aggregation.LATEST,
    "latest": Indicator.Aggregation.LATEST,
}
_YES = {"是", "y", "yes", "true", "1", "v", "✓"}
_NO = {"", "否", "n", "no", "false", "0"}

# The texts the columns hold, as long as the plan tree's fields allow (strategies/plan_tree.py).
_LIMIT: dict[str, int] = {
    f"{level.name}.{name}": max_length
    for level in (plan_tree.STRATEGY, plan_tree.METHOD, plan_tree.ITEM, plan_tree.INDICATOR)
    for name in level.carried(plan_tree.COPIED)
    if (max_length := plan_tree.own_field(level.model, name).max_length)
}

_SHEET = re.compile(r"^構面([一二三四五])$")
_TITLE = re.compile(r"^構面\s*([一二三四五])\s*[：:]\s*(.+?)\s*[（(]\s*([\d.]+)\s*分\s*[）)]\s*$")
_STRATEGY = re.compile(r"^[（(]\s*([一二三四五六七八九十]+)\s*[）)]\s*(.*)$", re.S)
_METHOD = re.compile(r"^(\d+)\s*[.．]\s*(.*)$", re.S)
_ITEM = re.compile(r"^[（(]\s*(\d+)\s*[）)]\s*(.*)$", re.S)
_DIMENSION_NUMBER = {numbering.chinese_numeral(n): n for n in range(1, 6)}


class PlanFileError(DomainError):
    """The file as a whole cannot be read: nothing in it is looked at, nothing is written."""


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: int | None
    reason: str

    @property
    def column_label(self) -> str:
        if self.column is None:
            return ""
        return f"{get_column_letter(self.column)}（{COLUMN_NAMES[self.column]}）"

    def __str__(self) -> str:
        where = f"工作表「{self.sheet}」" if self.sheet else "檔案"
        if self.row is not None:
            where += f"第 {self.row} 列"
        if self.column is not None:
            where += f" {self.column_label} 欄"
        return f"{where}：{self.reason}"


@dataclass
class IndicatorSpec:
    name: str
    measure: str
    target: Decimal | None
    aggregation: str
    allows_decimals: bool

    def key(self) -> tuple[str, str, Decimal | None, str, bool]:
        return (self.name, self.measure, self.target, self.aggregation, self.allows_decimals)


@dataclass
class ItemSpec:
    row: int
    title: str
    host_label: str
    unit_names: list[str]  # column G when filled; otherwise resolved from host_label
    planned_actions: str
    indicators: list[IndicatorSpec]


@dataclass
class MethodSpec:
    row: int
    raw: str
    title: str
    description: str
    items: list[ItemSpec] = field(default_factory=list)


@dataclass
class StrategySpec:
    row: int
    raw: str
    title: str
    methods: list[MethodSpec] = field(default_factory=list)


@dataclass
class DimensionSpec:
    sheet: str
    number: int
    name: str
    max_score: Decimal
    strategies: list[StrategySpec] = field(default_factory=list)


@dataclass
class ParsedPlan:
    dimensions: list[DimensionSpec]
    problems: list[Problem]


# --- reading ------------------------------------------------------------------------------


def _is_encrypted_ole(data: bytes) -> bool:
    """Password-protected .xlsx files are OLE compound files holding an EncryptionInfo stream."""
    return "EncryptionInfo".encode("utf-16-le") in data or b"EncryptedPackage" in data


def read_workbook(data: bytes, filename: str = "") -> Workbook:
    """The workbook in `data`, opened read-only once every limit above holds, or PlanFileError
    saying plainly why it is refused (naming the limit). Close it when done."""
    if len(data) > MAX_BYTES:
        raise PlanFileError(
            f"檔案大小 {len(data) / 1024 / 1024:.1f} MB，超過上限 10 MB，請分拆或精簡後再匯入。"
        )
    if not data:
        raise PlanFileError("檔案是空的。")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        if _is_encrypted_ole(data) or "encryption".encode("utf-16-le") in data.lower():
            raise PlanFileError("檔案設有密碼保護，系統無法讀取。請在 Excel 移除密碼後再匯入。")
        raise PlanFileError("這是舊版 Excel（.xls）檔，請在 Excel 另存為 .xlsx 後再匯入。")
    if data[:4] != b"PK\x03\x04":
        shown = f"「{filename}」" if filename else "檔案"
        raise PlanFileError(f"{shown}不是 Excel 活頁簿（.xlsx），請上傳由 Excel 儲存的 .xlsx 檔。")
    try:
        with open_zip(
            data,
            max_members=MAX_MEMBERS,
            member_limit=_part_limit,
            max_total=MAX_UNCOMPRESSED_BYTES,
            refuse=lambda message: PlanFileError(f"計畫檔超出系統上限：{message}"),
        ) as archive:
            if archive.testzip() is not None:
                raise PlanFileError("檔案已損毀（壓縮內容校驗失敗），請重新儲存後再匯入。")
            _check_extent(archive)
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except PlanFileError:
        raise
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as error:
        raise PlanFileError(
            "檔案已損毀或不是有效的 Excel 活頁簿，無法讀取。請在 Excel 開啟並另存為 .xlsx 後再匯入。"
        ) from error


def _part_limit(name: str) -> int:
    lowered = name.lower()
    if "worksheets/" in lowered or lowered.endswith("sharedstrings.xml"):
        return MAX_PART_BYTES
    return MAX_OTHER_PART_BYTES


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main "
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


class _Extent:
    """Counts, while expat streams a part, what openpyxl would build from it; refuses as soon
    as a limit is passed, so the cost of a refused file is bounded by the limits themselves."""

    def __init__(self) -> None:
        self.sheets = 0
        self.cells = 0
        self.elements = 0

    def scan(self, part: str, stream: IO[bytes]) -> None:
        state = {"row": 0, "column": 0}
        parser = expat.ParserCreate(namespace_separator=" ")

        def no_dtd(*_args: object) -> None:
            raise PlanFileError("檔案含有 DTD 宣告，不是 Excel 儲存的活頁簿，已拒絕。")

        def start(name: str, attributes: dict[str, str]) -> None:
            self.elements += 1
            if self.elements > MAX_XML_ELEMENTS:
                raise PlanFileError(
                    f"計畫檔超出系統上限：XML 元素超過 {MAX_XML_ELEMENTS:,} 個，已拒絕。"
                )
            if not name.startswith(_MAIN):
                return
            local = name[len(_MAIN) :]
            if local == "sheet":
                self.sheets += 1
                if self.sheets > MAX_SHEETS:
                    raise PlanFileError(
                        f"計畫檔超出系統上限：活頁簿的工作表超過 {MAX_SHEETS} 個；"
                        "計畫檔只需要「構面一」至「構面五」。"
                    )
            elif local == "dimension":
                ref = attributes.get("ref", "")
                last = _CELL_REF.match(ref.split(":")[-1])
                if last:
                    self._check_place(part, int(last[2]), _column_number(last[1]), ref)
            elif local == "row":
                try:
                    state["row"] = int(attributes["r"])
                except (KeyError, ValueError):
                    state["row"] += 1
                state["column"] = 0
                self._check_place(part, state["row"], 1)
            elif local in {"c", "si"}:
                self.cells += 1
                if self.cells > MAX_CELLS:
                    raise PlanFileError(
                        f"計畫檔超出系統上限：儲存格超過 {MAX_CELLS:,} 個，已拒絕。"
                    )
                if local == "c":
                    cell_ref = _CELL_REF.match(attributes.get("r", ""))
                    state["column"] = (
                        _column_number(cell_ref[1]) if cell_ref else state["column"] + 1
                    )
                    self._check_place(part, state["row"], state["column"])

        parser.StartDoctypeDeclHandler = no_dtd
        parser.EntityDeclHandler = no_dtd
        parser.StartElementHandler = start
        while chunk := stream.read(64 * 1024):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)

    def _check_place(self, part: str, row: int, column: int, declared: str = "") -> None:
        where = f"工作表（{part}）" + (f"宣告的範圍 {declared[:30]}，" if declared else "")
        if row > MAX_ROWS:
            raise PlanFileError(
                f"計畫檔超出系統上限：{where}到第 {row:,} 列，超過每個工作表 {MAX_ROWS:,} 列。"
            )
        if column > MAX_COLUMNS:
            raise PlanFileError(
                f"計畫檔超出系統上限：{where}到第 {column:,} 欄，超過每個工作表 {MAX_COLUMNS} 欄。"
            )


def _check_extent(archive: zipfile.ZipFile) -> None:
    """Stream every XML part once (openpyxl reads only XML parts) and refuse past the limits."""
    extent = _Extent()
    for info in archive.infolist():
        with archive.open(info) as stream:
            head = stream.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
            if not head.startswith(b"<"):
                continue  # an image or other binary part: openpyxl does not parse it here
        with archive.open(info) as stream:
            try:
                extent.scan(info.filename, stream)
            except expat.ExpatError as error:
                raise PlanFileError(
                    "檔案已損毀或不是有效的 Excel 活頁簿，無法讀取。"
                    "請在 Excel 開啟並另存為 .xlsx 後再匯入。"
                ) from error


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").strip()


def _lines(value: object) -> list[str]:
    """One line per indicator; blank lines keep their place (an indicator without a target)."""
    if value is None:
        return []
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    lines = [line.strip() for line in str(value).replace("\r\n", "\n").split("\n")]
    return lines if any(lines) else []


def _number(text: str) -> Decimal:
    value = Decimal(text.replace(",", "").replace("，", "").strip())
    if not value.is_finite():
        raise InvalidOperation
    return value


def read_plan(data: bytes, filename: str = "") -> ParsedPlan:
    """The plan in the file: read within the limits (read_workbook), parsed, closed."""
    workbook = read_workbook(data, filename)
    try:
        return parse_plan(workbook)
    finally:
        workbook.close()


def parse_plan(workbook: Workbook) -> ParsedPlan:
    """Every dimension sheet as specs, and every problem found on the way (nothing raised)."""
    problems: list[Problem] = []
    dimensions: list[DimensionSpec] = []
    for ws in workbook.worksheets:
        match = _SHEET.match(ws.title.strip())
        if not match:
            if ws.title not in REPORT_SHEETS:
                problems.append(
                    Problem(
                        ws.title,
                        None,
                        None,
                        "工作表名稱應為「構面一」至「構面五」，這個工作表無法對應到構面。",
                    )
                )
            continue
        dimensions.append(_parse_sheet(ws, _DIMENSION_NUMBER[match[1]], problems))
    found = {d.number for d in dimensions}
    for number in range(1, 6):
        if number not in found:
            name = f"構面{numbering.chinese_numeral(number)}"
            problems.append(Problem(name, None, None, f"缺少工作表「{name}」。"))
    dimensions.sort(key=lambda d: d.number)
    return ParsedPlan(dimensions, problems)


def _parse_sheet(ws: Worksheet, number: int, problems: list[Problem]) -> DimensionSpec:
    sheet = ws.title
    # Rows as stored, never more than the limit (read_workbook refused any row past it).
    rows = ws.iter_rows(min_row=1, max_row=MAX_ROWS, max_col=len(HEADER), values_only=True)
    blank: tuple[object, ...] = (None,) * len(HEADER)
    first = next(rows, blank)
    header = next(rows, blank)
    title = cell_text(first[0])
    match = _TITLE.match(title)
    if match and _DIMENSION_NUMBER[match[1]] == number:
        name, max_score = match[2], Decimal(match[3])
    else:
        problems.append(
            Problem(sheet, 1, 1, f"第 1 列應為構面標題，例如「{sheet}：基礎服務 (200 分)」。")
        )
        name, max_score = "", Decimal(0)
    for column in (1, 2, 4, 5):
        if cell_text(header[column - 1]) != HEADER[column - 1]:
            problems.append(Problem(sheet, 2, column, f"欄位標題應為「{HEADER[column - 1]}」。"))
    spec = DimensionSpec(sheet, number, name, max_score)
    strategy: StrategySpec | None = None
    method: MethodSpec | None = None
    strategy_numbers: dict[str, int] = {}
    method_numbers: dict[str, int] = {}
    item_numbers: dict[str, int] = {}
    for row, values in enumerate(rows, start=FIRST_DATA_ROW):
        cells = list(values)
        if all(cell_text(v) == "" for v in cells):
            continue
        s_text, m_text, i_text, host, actions = (cell_text(v) for v in cells[:5])

        def problem(column: int | None, reason: str, row: int = row) -> None:
            problems.append(Problem(sheet, row, column, reason))

        if s_text and (strategy is None or s_text != strategy.raw):
            m = _STRATEGY.match(s_text)
            label, title = (m[1], m[2].strip()) if m else ("", s_text)
            if not title:
                problem(1, "缺少執行策略名稱。")
            elif len(title) > _LIMIT["strategy.title"]:
                problem(1, f"執行策略名稱超過 {_LIMIT['strategy.title']} 字。")
            if label:
                if label in strategy_numbers:
                    problem(
                        1,
                        f"執行策略編號「({label})」重複（第 {strategy_numbers[label]} 列已使用）。",
                    )
                strategy_numbers[label] = row
            strategy = StrategySpec(row, s_text, title)
            spec.strategies.append(strategy)
            method, method_numbers = None, {}
        elif strategy is None:
            problem(1, "缺少執行策略：第一個填報項目之前必須有執行策略。")
            continue
        if m_text and (method is None or m_text != method.raw):
            heading, _, description = m_text.partition("\n")
            m = _METHOD.match(heading.strip())
            label, title = (m[1], m[2].strip()) if m else ("", heading.strip())
            if not title:
                problem(2, "缺少執行方法名稱。")
            elif len(title) > _LIMIT["method.title"]:
                problem(
                    2,
                    f"執行方法名稱（第一行）超過 {_LIMIT['method.title']} 字；說明請寫在第二行以後。",
                )
            if label:
                if label in method_numbers:
                    problem(
                        2, f"執行方法編號「{label}.」重複（第 {method_numbers[label]} 列已使用）。"
                    )
                method_numbers[label] = row
            method = MethodSpec(row, m_text, title, description.strip())
            strategy.methods.append(method)
            item_numbers = {}
        elif method is None:
            problem(2, "缺少執行方法：每個執行策略下的第一列必須填寫執行方法。")
            continue
        m = _ITEM.match(i_text)
        item_title = m[2].strip() if m else i_text
        if m:
            if m[1] in item_numbers:
                problem(3, f"項目編號「({m[1]})」重複（第 {item_numbers[m[1]]} 列已使用）。")
            item_numbers[m[1]] = row
        if m and not item_title:
            problem(3, "缺少項目內容。")
        unit_names = [u for u in re.split(r"[、,，\n]+", cell_text(cells[6])) if u.strip()]
        if not host and not unit_names:
            problem(4, "缺少主辦單位。")
        if len(host) > _LIMIT["item.host_label"]:
            problem(4, f"主辦單位超過 {_LIMIT['item.host_label']} 字。")
        method.items.append(
            ItemSpec(
                row=row,
                title=item_title,
                host_label=host,
                unit_names=[u.strip() for u in unit_names],
                planned_actions=actions,
                indicators=_parse_indicators(cells, problem),
            )
        )
    return spec


def _parse_indicators(
    cells: Sequence[object], problem: Callable[[int, str], None]
) -> list[IndicatorSpec]:
    names, measures, targets, aggregations, decimals = (_lines(v) for v in cells[7:12])
    if isinstance(cells[9], int | float | Decimal) and not isinstance(cells[9], bool):
        targets = [str(cells[9])]
    while names and not names[-1]:
        names.pop()
    count = len(names)
    for values in (measures, targets, aggregations, decimals):
        while len(values) > count and not values[-1]:
            values.pop()
    if not count:
        if any(line for line in targets + measures):
            problem(8, "有計量單位或目標值，卻沒有量化指標名稱。")
        return []
    for column, values in ((9, measures), (10, targets), (11, aggregations), (12, decimals)):
        if values and len(values) != count:
            problem(
                column, f"行數（{len(values)}）與量化指標（{count} 行）不一致，請一行一個指標。"
            )
            return []
    specs = []
    for n in range(count):
        name = names[n]
        measure = measures[n] if n < len(measures) else ""
        target_text = targets[n] if n < len(targets) else ""
        aggregation_text = aggregations[n] if n < len(aggregations) else ""
        decimal_text = (decimals[n] if n < len(decimals) else "").lower()
        if not name:
            problem(8, f"第 {n + 1} 個量化指標沒有名稱。")
            continue
        if len(name) > _LIMIT["indicator.name"]:
            problem(8, f"量化指標「{name[:20]}…」超過 {_LIMIT['indicator.name']} 字。")
        if not measure:
            problem(9, f"量化指標「{name}」缺少計量單位（場次、件、家…）。")
        elif len(measure) > _LIMIT["indicator.measure"]:
            problem(9, f"計量單位「{measure}」超過 {_LIMIT['indicator.measure']} 字。")
        target = None
        if target_text:
            try:
                target = _number(target_text)
            except (InvalidOperation, ValueError):
                problem(10, f"量化指標「{name}」的目標值「{target_text}」不是數字。")
            else:
                if target < 0:
                    problem(10, f"量化指標「{name}」的目標值不能是負數。")
                elif target >= Decimal("1e10") or target != target.quantize(Decimal("0.01")):
                    problem(
                        10, f"量化指標「{name}」的目標值「{target_text}」超出範圍或超過兩位小數。"
                    )
        aggregation = _AGGREGATION_READ.get(aggregation_text)
        if aggregation is None:
            problem(11, f"彙總方式「{aggregation_text}」應為「逐月加總」或「取最新值」。")
            aggregation = Indicator.Aggregation.SUM
        if decimal_text not in _YES | _NO:
            problem(12, f"可填小數「{decimal_text}」應為「是」或留空。")
        specs.append(IndicatorSpec(name, measure, target, str(aggregation), decimal_text in _YES))
    return specs

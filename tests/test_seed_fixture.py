"""The khh_112 fixture is the 112 Kaohsiung report, verbatim.

Pins the structure (5 dimensions, 11 strategies, 23 methods, 47 items), the scores, the host
units (collective names resolved to real units), texts copied character for character from the
seed, the indicators' targets and actuals, and - when the seed file is at hand - that every
item's text occurs in the seed.
"""

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Sum

from scoring.grades import grade_for
from scoring.models import DimensionScore, GradeBands, ScoreSheet
from strategies import numbering
from strategies.models import (
    Dimension,
    Indicator,
    Item,
    Method,
    Organization,
    Strategy,
    Unit,
    Year,
)

ALL_UNITS = {"秘書室", "度量衡科", "報驗發證科", "金門辦事處", "澎湖辦事處", "研考"}
SECTIONS_AND_OFFICES = {"度量衡科", "報驗發證科", "金門辦事處", "澎湖辦事處"}


def seed_path() -> Path | None:
    candidates = [
        Path(__file__).resolve().parents[2] / "shared/seed/112-kaohsiung-service-performance.txt"
    ]
    if os.environ.get("PERFREPORT_SEED"):
        candidates.append(Path(os.environ["PERFREPORT_SEED"]))
    return next((p for p in candidates if p.is_file()), None)


@pytest.fixture
def khh_112(db):
    call_command("loaddata", "khh_112", verbosity=0)
    return Year.objects.get(organization__code="khh", roc_year=112)


def item_at(dimension: int, strategy: int, method: int, item: int = 1) -> Item:
    """The item at the seed's position, e.g. 一(二)1(3) -> item_at(1, 2, 1, 3)."""
    return Item.objects.get(
        method__strategy__dimension__year__roc_year=112,
        method__strategy__dimension__number=dimension,
        method__strategy__order=strategy,
        method__order=method,
        order=item,
    )


def host_names(item: Item) -> set[str]:
    return set(item.host_units.values_list("name", flat=True))


# ---------------------------------------------------------------- structure


def test_counts_5_11_23_47(khh_112):
    year = khh_112
    assert Dimension.objects.filter(year=year).count() == 5
    assert Strategy.objects.filter(dimension__year=year).count() == 11
    assert Method.objects.filter(strategy__dimension__year=year).count() == 23
    assert Item.objects.filter(method__strategy__dimension__year=year).count() == 47
    per_dimension = [
        Item.objects.filter(method__strategy__dimension__number=n).count() for n in range(1, 6)
    ]
    assert per_dimension == [22, 15, 2, 6, 2]
    assert not Item.objects.filter(is_retired=True).exists()


def test_organization_units_and_year(khh_112):
    khh = Organization.objects.get(code="khh")
    assert khh.name == "經濟部標準檢驗局高雄分局"
    assert khh.parent.code == "bsmi" and khh.parent.is_headquarters
    assert list(Unit.objects.filter(organization=khh).values_list("name", "kind")) == [
        ("秘書室", "secretariat"),
        ("度量衡科", "section"),
        ("報驗發證科", "section"),
        ("金門辦事處", "office"),
        ("澎湖辦事處", "office"),
        ("研考", "other"),
    ]
    assert khh_112.status == Year.Status.CLOSED
    assert khh_112.roc_year + 1911 == 2023  # the seed's 112 年度 is 2023


def test_dimension_names_and_maxima(khh_112):
    rows = list(Dimension.objects.filter(year=khh_112).values_list("number", "name", "max_score"))
    assert rows == [
        (1, "基礎服務", Decimal(200)),
        (2, "服務遞送", Decimal(300)),
        (3, "服務量能", Decimal(200)),
        (4, "服務評價", Decimal(200)),
        (5, "開放創新", Decimal(100)),
    ]
    assert sum(r[2] for r in rows) == 1000


def test_strategy_and_method_titles(khh_112):
    assert list(Strategy.objects.filter(dimension__number=2).values_list("order", "title")) == [
        (1, "服務便捷性"),
        (2, "服務可近性"),
        (3, "服務成長及優化"),
    ]
    method = Method.objects.get(strategy__dimension__number=1, strategy__order=1, order=1)
    # The seed's separator between a method's title and its description stays with the title.
    assert method.title == "訂定申辦業務標準作業流程:"
    assert method.description == (
        "訂定申辦業務標準作業流程,維持服務措施處理一致性,且持續檢討申辦項目表單,進行簡化及標準化等。"
    )
    # A method whose seed text is only a title, with sub-items following.
    website = Method.objects.get(strategy__dimension__number=1, strategy__order=2, order=2)
    assert (website.title, website.description) == ("提高網站使用便利性", "")
    assert website.items.count() == 8
    unnumbered = Method.objects.get(strategy__dimension__number=3, strategy__order=1)
    assert unnumbered.title == "提升同仁行政效率："
    assert unnumbered.description.startswith("聚焦核心業務，運用多元管道蒐集成員意見")


# ---------------------------------------------------------------- scores


def test_self_scores_total_920_grade_excellent(khh_112):
    scores = DimensionScore.objects.filter(
        dimension__year=khh_112, round=DimensionScore.Round.SELF
    ).order_by("dimension__number")
    assert [(s.score, s.maximum) for s in scores] == [
        (Decimal(184), Decimal(200)),
        (Decimal(284), Decimal(300)),
        (Decimal(182), Decimal(200)),
        (Decimal(186), Decimal(200)),
        (Decimal(84), Decimal(100)),
    ]
    total = scores.aggregate(total=Sum("score"))["total"]
    assert total == Decimal(920)
    assert grade_for(total, GradeBands.objects.get(year=khh_112).as_bands()) == "優"
    assert not DimensionScore.objects.filter(round=DimensionScore.Round.REVIEW).exists()


def test_score_sheet_assessed_by_kaohsiung_in_113_1(khh_112):
    sheet = ScoreSheet.objects.get(year=khh_112)
    assert sheet.assessed_by == "高雄分局"
    assert sheet.assessed_month_label == "113.1"
    assert sheet.signed_off_at is None


# ---------------------------------------------------------------- host units


@pytest.mark.parametrize(
    ("position", "label", "units"),
    [
        ((1, 1, 3), "各單位", ALL_UNITS),
        ((1, 1, 1), "各科、辦事處", SECTIONS_AND_OFFICES),
        ((4, 1, 2), "各科", {"度量衡科", "報驗發證科"}),
        ((1, 2, 2, 3), "報驗發證科 (各單位)", ALL_UNITS),
        ((1, 2, 4, 3), "度量衡科 報驗發證科 金門、澎湖辦事處", SECTIONS_AND_OFFICES),
        ((1, 2, 3, 2), "秘書室", {"秘書室"}),
        ((4, 2, 1, 1), "研考", {"研考"}),
        ((1, 2, 2, 1), "報驗發證科", {"報驗發證科"}),
    ],
)
def test_host_units_resolve_to_real_units(khh_112, position, label, units):
    item = item_at(*position)
    assert item.host_label == label
    assert host_names(item) == units


def test_merged_row_split_into_three_items(khh_112):
    """一(二)1 (1)(2)(3) share one seed row: hosts, planned actions and results split three ways."""
    first, second, third = (item_at(1, 2, 1, n) for n in (1, 2, 3))
    assert first.host_label == "秘書室 度量衡科 金門、澎湖辦事處"
    assert host_names(first) == {"秘書室", "度量衡科", "金門辦事處", "澎湖辦事處"}
    assert second.host_label == "秘書室 度量衡科 報驗發證科 金門、澎湖辦事處"
    assert host_names(second) == ALL_UNITS - {"研考"}
    assert third.host_label == "度量衡科 報驗發證科 金門、澎湖辦事處"
    assert host_names(third) == SECTIONS_AND_OFFICES
    assert first.title == "進行環境美(綠)化及輔以舒適、明亮、整潔,建置民眾臨櫃洽公的合宜服務環境。"
    assert second.planned_actions == (
        "辦公場所建置各類雙語標示,並製作雙語服務項目、服務人員名牌與作業流程看板等,"
        "提供業者或民眾明確指引。"
    )
    assert third.results == (
        "櫃台設有單一窗口受理各項案件,減少民眾移動及縮短申辦等候時間。;"
        "計程車行走檢定出入動線規劃良好,縮短申辦案件民眾或業者等候時間。"
    )
    # Items (4)-(6) of the same method come from the following rows.
    assert item_at(1, 2, 1, 6).title == "提供各種申辦書表及填寫範例。"


# ---------------------------------------------------------------- verbatim texts

VERBATIM = [
    (
        (1, 1, 1),
        "results",
        "(1)修訂分局品質手冊 12 章節、程序書 312 件及表單 110 件,維持品質管理系統運作適切性。\n"
        "(2)檢討申辦業務標準作業流程 88 件,制(修)訂 69 件。",
    ),
    (
        (1, 1, 3),
        "planned_actions",
        "辦理各類專業教育訓練,強化服務流程及相關法規之專業與熟悉程度,預計舉辦 9 場次教育訓練;"
        "實驗室參加能力比對計畫,確保實驗室技術能力及品質管理,年度預計參加 3 場次。",
    ),
    (
        (1, 2, 1, 1),
        "planned_actions",
        "因應登革熱疫情,每週辦理一次孳生源檢查,並於雨季期間不定期投藥消毒,防止蚊蟲幼蟲孳生;"
        "每日由清潔外包人員負責維護辦公環境清理,包含垃圾清理、資源回收、大廳地板及商品展示區等,"
        "創造清潔、明亮、寬敞洽公環境空間。",
    ),
    (
        (1, 2, 2, 2),
        "planned_actions",
        "網站整合 Google site search, 提供相關進階檢索功能及多元的檢索方式, "
        "除分類檢索、全文搜尋、進階搜尋、熱門字查詢外, "
        "亦提供檢驗進度查詢、文章條件查詢及標籤雲查詢等服務, 以提升查詢便利性。",
    ),
    (
        (1, 2, 2, 6),
        "results",
        "每個月檢視 1 次內容正確性，並做成紀錄陳核；已完成 1~12 月份之檢核。",
    ),
    ((1, 2, 3, 2), "results", "訂有電話禮貌測試執行計畫，計測試 78 人次。"),
    (
        (1, 2, 4, 1),
        "title",
        "資訊公開：以簡明易懂易讀易用之形式，主動公開服務相關資訊供民眾查閱或運用，"
        "如服務項目、業務承辦資訊、相關法規、申辦業務標準作業流程、應備表件、書表範例等。",
    ),
    (
        (2, 1, 2, 3),
        "results",
        "●櫃檯設有服務人員主動引導，服務民眾或業者。\n"
        "●因應疫情到府服務改採專人電話一對一模式指導業者辦理網路申辦。",
    ),
    (
        (2, 1, 4, 2),
        "results",
        "申請人可於線上上載文件，由業務課於線上審核，減少申請人紙本辦理來回奔波時間，"
        "申請人依線上查詢結果，直接向關務署申請通關，計查詢 5,114 件。\n"
        "計發送簡訊 11,385 件，E-MAIL 12,924 件。",
    ),
    (
        (2, 3, 1),
        "results",
        "計敦促 3077 個網址數賣家(企業經營者)於網頁提供商品安全標章資訊予消費者。\n"
        "自己計量自己量\n"
        "●推動「優良衡器計量管理制度」：完成取得優良計量管理標章3家量販商行，"
        "獲證比率為150%(年度目標值2家)及新增11站優良計量管理加油站。\n"
        "●持續宣導量販商行參與，並免費提供法碼供比對，及對於通過登錄之業者減少檢測頻率，"
        "提高申請誘因\n"
        "因應疫情到府服務改採專人電話一對一模式指導業者辦理網路申辦。",
    ),
    (
        (3, 1, 1),
        "results",
        "CI999...案件計 20 件，其中 6 件採書面審查執行，減少會同查核商品的困擾。\n"
        "廠場驗證報告上傳外銷食品加工廠(EFS)系統之功能，分局執行完成加工廠驗證報告初審，"
        "改以電子公文函文總局，不需寄送紙本驗證報告至總局核備，每件節省寄送時間 2 天，"
        "計執行 52 家申請廠場驗證，共節省寄送時間 104 天。\n"
        "免除業者同日需檢定多案，而多名檢定員時間無法配合致案件延宕。"
        "修改「地秤及衡器檢定案件指派檢定員」流程，提升服務品質及業者滿意度，計辦理 1,332 件，"
        "節省業者待驗時間 2,664 小時工作時間 2,664 小時。",
    ),
    (
        (5, 2, 1),
        "results",
        "接洽高雄市輪船股份有限公司同意商品安全宣導立牌 2 座，置放鼓山輪渡站候船室中，"
        "免費贊助本局業務宣導。(立牌內容有商品檢驗—商品安全標章及商品檢驗標識，"
        "人事—「性別平等，有你有我」標語，本分局網頁之 QR code 連結。)",
    ),
]


@pytest.mark.parametrize(("position", "field", "expected"), VERBATIM)
def test_texts_equal_the_seed(khh_112, position, field, expected):
    assert getattr(item_at(*position), field) == expected


def test_items_without_sub_items_have_empty_titles(khh_112):
    # 15 methods are one item each; the other 8 methods hold 6+8+2+3+3+5+2+3 = 32 sub-items.
    untitled = Item.objects.filter(title="")
    assert untitled.count() == 15
    assert all(i.method.items.count() == 1 for i in untitled)
    titled = Item.objects.exclude(title="")
    assert titled.count() == 32
    assert all(i.method.items.count() > 1 and i.method.description == "" for i in titled)


# ---------------------------------------------------------------- indicators


def indicator(position, name) -> Indicator:
    return item_at(*position).indicators.get(name=name)


@pytest.mark.parametrize(
    ("position", "name", "measure", "target", "actual"),
    [
        ((1, 1, 3), "專業教育訓練", "場次", Decimal(9), Decimal(11)),
        ((1, 1, 3), "能力試驗比對", "場次", Decimal(3), Decimal(4)),
        ((1, 2, 3, 2), "電話禮貌測試", "人次", Decimal(52), Decimal(78)),
        ((2, 3, 1), "取得優良計量管理標章量販商行", "家", Decimal(2), Decimal(3)),
        ((2, 1, 3), "外銷水產品特約檢驗線上申請", "批", Decimal(2200), Decimal(2481)),
        ((2, 1, 3), "外銷水產品線上申請節省紙張", "張", Decimal(66000), Decimal(74430)),
    ],
)
def test_indicator_targets_and_actuals(khh_112, position, name, measure, target, actual):
    ind = indicator(position, name)
    assert (ind.measure, ind.target, ind.reported_actual) == (measure, target, actual)
    assert ind.reported_actual >= ind.target  # the seed reports these targets as met


def test_indicator_details(khh_112):
    # The seed's own achievement figure: 3 of a target of 2 = 150%.
    mark = indicator((2, 3, 1), "取得優良計量管理標章量販商行")
    assert mark.reported_actual / mark.target == Decimal("1.5")
    # A count without a stated target has none.
    assert indicator((1, 1, 3), "環境教育課程").target is None
    assert indicator((1, 1, 3), "環境教育課程").measure == "梯次"
    # Only 36.5 小時 has decimals.
    assert list(
        Indicator.objects.filter(allows_decimals=True).values_list("reported_actual", "measure")
    ) == [(Decimal("36.5"), "小時")]
    # Stock figures are "latest", counts of things done "sum".
    assert indicator((1, 2, 4, 1), "資訊公開專區資訊目錄").aggregation == "latest"
    assert indicator((1, 1, 2), "電話聯繫業者檢定時間").reported_actual == Decimal(1910)
    # Items whose results state no count have no indicators.
    assert not item_at(1, 2, 1, 1).indicators.exists()
    assert not item_at(4, 2, 1, 1).indicators.exists()
    assert Indicator.objects.count() == 55


# ---------------------------------------------------------------- against the seed file


def stripped_seed() -> str:
    path = seed_path()
    if path is None:
        pytest.skip("seed file not found (set PERFREPORT_SEED)")
    return re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8"))


def test_every_item_text_occurs_in_the_seed(khh_112):
    seed = stripped_seed()
    missing = []
    for item in Item.objects.order_by("pk"):
        for field in ("title", "planned_actions", "results", "host_label"):
            text = getattr(item, field)
            if text and text.replace("\n", " ") not in seed:
                missing.append((item.pk, field, text[:30]))
    assert missing == []


def test_items_cover_every_seed_cell(khh_112):
    """Nothing dropped: the seed's 主辦單位 / 具體作法 / 成果 columns, in order, are the items'."""
    path = seed_path()
    if path is None:
        pytest.skip("seed file not found (set PERFREPORT_SEED)")
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").split("\n")]
    rows = [r for r in rows if len(r) == 5 and r[0] != "執行策略"]

    def squash(text: str) -> str:
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()

    items = list(Item.objects.order_by("method__strategy__dimension__number", "pk"))
    for column, field in ((2, "host_label"), (3, "planned_actions"), (4, "results")):
        seed_text = squash(" ".join(r[column] for r in rows))
        fixture_text = squash(" ".join(getattr(i, field) for i in items))
        assert fixture_text == seed_text, field


def seed_rows() -> list[list[str]]:
    path = seed_path()
    if path is None:
        pytest.skip("seed file not found (set PERFREPORT_SEED)")
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").split("\n")]
    return [r for r in rows if len(r) == 5 and r[0] != "執行策略"]


def bare(text: str) -> str:
    """The characters of a text: tags and whitespace gone, every other character kept."""
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", text))


def plan_column_text(dimension: Dimension) -> str:
    """The seed's 執行策略 and 執行方法 columns as the fixture renders them: numbered strategy
    title, numbered method title (with its separator) and description, numbered item titles."""
    parts = []
    strategies = list(dimension.strategies.order_by("order"))
    for s_pos, strategy in enumerate(strategies, start=1):
        parts.append(numbering.strategy_label(s_pos) + strategy.title)
        methods = list(strategy.methods.order_by("order"))
        for m_pos, method in enumerate(methods, start=1):
            parts.append(numbering.method_label(m_pos, len(methods)) + method.title)
            parts.append(method.description)
            items = list(method.items.order_by("order"))
            for i_pos, item in enumerate(items, start=1):
                if item.title:
                    parts.append(numbering.item_label(i_pos, len(items)) + item.title)
    return bare("".join(parts))


def test_strategy_and_method_columns_keep_every_character(khh_112):
    """Every character of the seed's first two columns, separators and full stops included."""
    rows = seed_rows()
    seed_text = bare("".join(r[0] + r[1] for r in rows))
    fixture_text = "".join(
        plan_column_text(d) for d in Dimension.objects.filter(year=khh_112).order_by("number")
    )
    assert fixture_text == seed_text


@pytest.mark.parametrize(
    ("column", "field"), [(2, "host_label"), (3, "planned_actions"), (4, "results")]
)
def test_item_columns_keep_every_character_per_cell(khh_112, column, field):
    """Cell by cell: a seed row's text equals its items' texts (one row may hold several
    items, as 一(二)1 (1)-(3) does), compared without whitespace."""
    rows = seed_rows()
    items = iter(Item.objects.order_by("method__strategy__dimension__number", "pk"))
    fixture_texts = [bare(getattr(i, field)) for i in items]
    seed_cells = [bare(r[column]) for r in rows]
    # Walk the items, consuming as many as make up each seed cell exactly.
    position = 0
    for cell in seed_cells:
        joined = ""
        while joined != cell:
            assert position < len(fixture_texts), f"seed cell not covered: {cell[:40]}"
            joined += fixture_texts[position]
            position += 1
            assert cell.startswith(joined), f"fixture differs from the seed cell {cell[:40]}"
    assert position == len(fixture_texts)


def test_dimension_five_keeps_its_full_stops(khh_112):
    titles = list(
        Method.objects.filter(strategy__dimension__number=5)
        .order_by("strategy__order")
        .values_list("title", flat=True)
    )
    assert titles[0].endswith("共創與民眾合作契機。")
    assert titles[1].endswith("並對服務對象具有實質效益。")

"""A JSON report that would break a year is refused before anything is written: maxima that do
not add up to 1000, an organization name that contradicts the code, unknown keys, texts over
their limit, NaN / Infinity, a file too large or nested too deep."""

import json
import tracemalloc

import pytest
from django.core.management import call_command

from perfreport.reports import import_checks
from perfreport.reports.importing import import_report, validate
from strategies.models import Organization, Year
from tests import hostile_files
from tests.test_export_json import empty_database, export_json
from tests.test_import_report_errors import dump, refused


@pytest.fixture
def document(seed):
    """The seed's document, with the database emptied so it could be imported as is."""
    content = export_json(Year.objects.get(organization__code="khh", roc_year=112))
    empty_database()
    return json.loads(content)


ITEM = ("dimensions", 0, "strategies", 0, "methods", 0, "items", 0)
ITEM_PLACE = "dimensions[0].strategies[0].methods[0].items[0]"


def _at(document, path):  # type: ignore[no-untyped-def]
    for key in path:
        document = document[key]
    return document


def test_one_dimension_of_1000_is_refused_and_nothing_changes(document, tmp_path, capsys):
    """Imported, a score of 990 in it made the year's total 1,726: the score sheet, the page and
    every export of the year then failed on the grade of a total over 1000."""
    document["dimensions"][0]["max_score"] = "1000.0"
    document["dimensions"][0]["scores"]["self"]["score"] = "990.0"
    message = refused(dump(document), tmp_path)
    assert "dimensions: 各構面配分合計 1800 分，應等於考核總分 1000 分" in message
    assert not Organization.objects.exists()


def test_the_seed_document_still_imports_and_its_score_sheet_shows(document, capsys):
    year = import_report(raw=dump(document))
    call_command("score_sheet", "--org", "khh", "--year", str(year.roc_year), "--format", "text")
    assert "1000" in capsys.readouterr().out


def test_a_name_that_contradicts_the_existing_organization_is_refused(document, tmp_path):
    Organization.objects.create(code="khh", name="經濟部標準檢驗局高雄分局", short_name="高雄分局")
    document["organization"]["name"] = "某縣政府"
    message = refused(dump(document), tmp_path)
    assert (
        "organization.name: 「某縣政府」與本系統中代碼 khh 的機關「經濟部標準檢驗局高雄分局」不符"
        in message
    )


def test_the_same_name_as_the_existing_organization_is_accepted(document):
    org = document["organization"]
    Organization.objects.create(code=org["code"], name=org["name"], short_name="高雄分局")
    _doc, problems = validate(dump(document))
    assert not [p for p in problems if "organization" in p]


@pytest.mark.parametrize(
    ("path", "key"),
    [((), "schema_extra"), (ITEM, "owner"), (("year",), "locked_by"), (("organization",), "id")],
)
def test_unknown_keys_are_refused(document, tmp_path, path, key):
    _at(document, path)[key] = "x"
    place = ".".join(f"[{p}]" if isinstance(p, int) else p for p in (*path, key)).replace(".[", "[")
    assert f"{place}: 不認得的欄位" in refused(dump(document), tmp_path)


@pytest.mark.parametrize(
    ("key", "length", "limit"),
    [
        ("planned_actions", 32_768, "32,767"),  # a spreadsheet cell's limit
        ("results", 20_001, "20,000"),  # the results form's limit
        ("host_label", 201, "200"),
    ],
)
def test_texts_over_their_limit_are_refused(document, tmp_path, key, length, limit):
    _at(document, ITEM)[key] = "字" * length
    message = refused(dump(document), tmp_path)
    assert f"{ITEM_PLACE}.{key}: 文字有 {length:,} 字，超過上限 {limit} 字" in message


def test_a_narrative_over_the_forms_limit_is_refused(document, tmp_path):
    item = _at(document, ITEM)
    item["entries"] = [
        {
            "unit": item["host_units"][0],
            "month": 1,
            "status": "draft",
            "narrative": "字" * 4001,
            "return_reason": "",
            "submitted_at": None,
            "approved_at": None,
            "values": [],
        }
    ]
    message = refused(dump(document), tmp_path)
    assert f"{ITEM_PLACE}.entries[0].narrative: 文字有 4,001 字，超過上限 4,000 字" in message


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", "sNaN", "inf"])
def test_nan_and_infinity_in_a_number_get_their_own_message(document, tmp_path, text):
    document["dimensions"][1]["scores"]["self"]["score"] = text
    message = refused(dump(document), tmp_path)
    assert f"dimensions[1].scores.self.score: 「{text}」不是有限的數字" in message


def test_a_bare_nan_literal_gets_its_own_message(document, tmp_path):
    raw = dump(document).replace('"deadline_day": 10', '"deadline_day": NaN')
    assert "NaN" in raw
    assert "JSON 不允許 NaN 或 Infinity" in refused(raw, tmp_path)


def test_refusing_deep_nesting_costs_little_memory():
    tracemalloc.start()
    try:
        _document, problems = validate(hostile_files.deeply_nested_json())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert problems == [
        f"檔案的巢狀層次超過 {import_checks.MAX_DEPTH} 層，不是本系統產生的檔案，已拒絕。"
    ]
    assert peak < 100 * 1024 * 1024


def test_deep_nesting_is_one_clean_message(document, tmp_path):
    for raw in (hostile_files.deeply_nested_json(), hostile_files.moderately_nested_json()):
        message = refused(raw, tmp_path)
        assert f"巢狀層次超過 {import_checks.MAX_DEPTH} 層" in message


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(db, tmp_path, monkeypatch):
    monkeypatch.setattr(import_checks, "MAX_BYTES", 1000)
    from perfreport.reports.management.commands import import_report as command

    monkeypatch.setattr(command, "MAX_BYTES", 1000)
    message = refused(b" " * 1001, tmp_path)
    assert "超過上限" in message
    _doc, problems = validate(b" " * 1001)
    assert problems and "超過上限" in problems[0]

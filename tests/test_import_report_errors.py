"""A bad JSON file is refused with a message naming the place, and nothing is written."""

import copy
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from perfreport.reports import importing
from perfreport.reports.importing import import_report
from strategies.models import Item, Organization, Year
from tests.test_export_json import EVERYTHING, empty_database, export_json


@pytest.fixture
def document(seed):
    """The seed's document, with the database emptied so it could be imported as is."""
    content = export_json(Year.objects.get(organization__code="khh", roc_year=112))
    empty_database()
    return json.loads(content)


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in [*EVERYTHING, Organization]}


def refused(raw: bytes | str, tmp_path) -> str:
    """Run the command on the file; return its error; assert nothing was written."""
    before = counts()
    path = tmp_path / "bad.json"
    path.write_bytes(raw if isinstance(raw, bytes) else raw.encode("utf-8"))
    with pytest.raises(CommandError) as caught:
        call_command("import_report", str(path))
    assert counts() == before
    return str(caught.value)


def dump(document) -> str:
    return json.dumps(document, ensure_ascii=False)


def test_the_untouched_document_imports(document):
    year = import_report(raw=dump(document))
    assert Item.objects.filter(method__strategy__dimension__year=year).count() == 47


def test_malformed_json(document, tmp_path):
    message = refused(dump(document)[:-40], tmp_path)
    assert "不是有效的 JSON" in message
    assert "第 1 行" in message


def test_wrong_schema_version(document, tmp_path):
    document["schema_version"] = 2
    assert "schema_version: 不支援的版本 2" in refused(dump(document), tmp_path)


def test_missing_field(document, tmp_path):
    del document["dimensions"][1]["strategies"][0]["methods"][2]["items"][0]["results"]
    message = refused(dump(document), tmp_path)
    assert "dimensions[1].strategies[0].methods[2].items[0].results: 缺少此欄位" in message


def test_unknown_unit(document, tmp_path):
    document["dimensions"][0]["strategies"][1]["methods"][0]["items"][2]["host_units"].append(
        "資訊室"
    )
    message = refused(dump(document), tmp_path)
    assert (
        "dimensions[0].strategies[1].methods[0].items[2].host_units: 未知的單位「資訊室」"
        in message
    )


def test_score_over_the_maximum(document, tmp_path):
    document["dimensions"][0]["scores"]["self"]["score"] = "250.0"
    message = refused(dump(document), tmp_path)
    assert "dimensions[0].scores.self.score: 分數 250.0 超過本構面配分 200" in message


def test_every_problem_is_listed_at_once(document, tmp_path):
    broken = copy.deepcopy(document)
    broken["year"]["deadline_day"] = "10"
    broken["dimensions"][4]["strategies"][0]["methods"][0]["items"][0]["indicators"] = [
        {
            "order": 1,
            "name": "x",
            "measure": "件",
            "target": "-1",
            "aggregation": "avg",
            "allows_decimals": False,
            "reported_actual": None,
        }
    ]
    message = refused(dump(broken), tmp_path)
    assert "year.deadline_day: 應為整數" in message
    place = "dimensions[4].strategies[0].methods[0].items[0].indicators[0]"
    assert f"{place}.target: -1 不可小於 0" in message
    assert f"{place}.aggregation: 「avg」不是可用的值" in message


def test_an_existing_year_is_not_overwritten(document, tmp_path):
    import_report(raw=dump(document))
    document["dimensions"][0]["name"] = "改過的名稱"
    assert "year: 機關 khh 的 112 年度已存在" in refused(dump(document), tmp_path)
    assert not Item.objects.filter(method__strategy__dimension__name="改過的名稱").exists()


def test_organization_code_must_be_a_slug(document, tmp_path):
    document["organization"]["code"] = "not a slug!"
    assert "organization.code: 「not a slug!」只能使用英文字母" in refused(dump(document), tmp_path)


def test_a_failure_while_writing_rolls_everything_back(document, monkeypatch):
    """Whatever stops the import half-way, the rows written before it are taken back."""
    calls = []
    original = importing._bulk

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # items and indicators are written; the entries fail
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    monkeypatch.setattr(importing, "_bulk", failing)
    with pytest.raises(RuntimeError):
        import_report(raw=dump(document))
    assert len(calls) == 3
    assert not Organization.objects.exists()
    assert not Item.objects.exists()


def test_a_nul_character_is_refused_on_every_database(document, tmp_path):
    document["dimensions"][0]["strategies"][0]["methods"][0]["items"][0]["results"] += "\x00"
    message = refused(dump(document), tmp_path)
    assert "dimensions[0].strategies[0].methods[0].items[0].results: 文字含有 NUL 字元" in message

"""`manage.py score_sheet`: the sheet as JSON (both rounds) or a text table in the seed's layout."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from perfreport.reports.document_schema import decimal_text
from perfreport.reports.exporters import get_exporter
from perfreport.reports.selectors import build_report
from scoring import services
from strategies.models import Year
from tests.seed_scores import SEED_SCORE_ROW


def run(*args):
    out = StringIO()
    call_command("score_sheet", *args, stdout=out)
    return out.getvalue()


def test_json_of_the_112_seed(seed):
    data = json.loads(run("--org", "khh", "--year", "112", "--format", "json"))

    assert data == {
        "organization": "經濟部標準檢驗局高雄分局",
        "organization_code": "khh",
        "year": 112,
        "dimensions": [
            {
                "number": 1,
                "name": "基礎服務",
                "max": "200.0",
                "score": "184.0",
                "self": "184.0",
                "review": None,
            },
            {
                "number": 2,
                "name": "服務遞送",
                "max": "300.0",
                "score": "284.0",
                "self": "284.0",
                "review": None,
            },
            {
                "number": 3,
                "name": "服務量能",
                "max": "200.0",
                "score": "182.0",
                "self": "182.0",
                "review": None,
            },
            {
                "number": 4,
                "name": "服務評價",
                "max": "200.0",
                "score": "186.0",
                "self": "186.0",
                "review": None,
            },
            {
                "number": 5,
                "name": "開放創新",
                "max": "100.0",
                "score": "84.0",
                "self": "84.0",
                "review": None,
            },
        ],
        "total": "920.0",
        "grade": "優",
        "rounds": {
            "self": {"total": "920.0", "grade": "優"},
            "review": {"total": None, "grade": None},
        },
        "assessed_by": "高雄分局",
        "assessed_month": "113.1",
        "signed_off": False,
    }


def test_json_is_one_line_in_the_documented_layout(seed):
    out = run("--org", "khh", "--year", "112", "--format", "json")
    assert out.count("\n") == 1
    assert out.startswith(
        '{"organization": "經濟部標準檢驗局高雄分局", "organization_code": "khh", "year": 112, '
        '"dimensions": [{"number": 1, "name": "基礎服務", "max": "200.0", "score": "184.0", '
        '"self": "184.0", "review": null}, '
    )
    assert out.endswith(
        '"total": "920.0", "grade": "優", "rounds": {"self": {"total": "920.0", "grade": "優"}, '
        '"review": {"total": null, "grade": null}}, "assessed_by": "高雄分局", '
        '"assessed_month": "113.1", "signed_off": false}\n'
    )


def test_json_uses_the_review_once_complete_with_one_decimal(seed, django_user_model):
    auditor = django_user_model.objects.get(username="auditor")
    year = Year.objects.get(organization__code="khh", roc_year=112)
    services.save_scores(
        year=year,
        round="review",
        scores={1: "115.5", 2: "284", 3: "182", 4: "186", 5: "84"},
        user=auditor,
    )
    services.sign_off_review(year=year, user=auditor)

    data = json.loads(run("--org", "khh", "--year", "112", "--format", "json"))

    assert data["dimensions"][0] == {
        "number": 1,
        "name": "基礎服務",
        "max": "200.0",
        "score": "115.5",
        "self": "184.0",
        "review": "115.5",
    }
    assert (data["total"], data["grade"]) == ("851.5", "甲")
    assert data["rounds"] == {
        "self": {"total": "920.0", "grade": "優"},
        "review": {"total": "851.5", "grade": "甲"},
    }
    assert data["signed_off"] is True


def test_text_reads_like_the_seed(seed):
    text = run("--org", "khh", "--year", "112", "--format", "text")
    lines = text.splitlines()
    assert lines[0] == "經濟部標準檢驗局 112 年度提升服務效能自行考核結果統計表"
    assert "受考核單位：經濟部標準檢驗局高雄分局" in lines
    assert "優=900 分以上；甲=899-800 分；乙=799-700 分；丙=699-600 分；丁=599 分以下" in lines
    header = next(line for line in lines if line.startswith("實施考核機關"))
    assert "一、基礎服務(200 分)" in header and header.split()[-3:] == ["總分", "等第", "考核年月"]
    row = next(line for line in lines if line.startswith("高雄分局"))
    # The seed's row without the parent column and the counted round.
    assert row.split() == [s for s in SEED_SCORE_ROW[:-1] if s]
    assert any(line.split()[:3] == ["總分／等第", "1000", "920"] for line in lines)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org", "nowhere", "--year", "112"], "找不到機關代碼「nowhere」"),
        (["--org", "khh", "--year", "99"], "高雄分局沒有 99 年度"),
    ],
)
def test_unknown_org_or_year_fails_with_one_line(seed, args, message):
    with pytest.raises(CommandError, match=message) as caught:
        run(*args)
    assert "\n" not in str(caught.value)


def test_json_numbers_are_what_the_report_schema_allows(seed):
    """Every score, maximum and total is a decimal string with one place, as the report's
    JSON schema requires (its importer's own check), and reads the same as the report JSON."""
    data = json.loads(run("--org", "khh", "--year", "112", "--format", "json"))
    one_place = decimal_text(1)
    numbers = [(d, f"dimensions[{i}]", k) for i, d in enumerate(data["dimensions"]) for k in DIMS]
    numbers.append((data, "", "total"))
    numbers += [(data["rounds"][r], f"rounds.{r}", "total") for r in ("self", "review")]
    for obj, place, key in numbers:
        if obj[key] is not None:
            assert isinstance(obj[key], str), f"{place}.{key}"
            one_place(obj[key])  # raises on a value the schema refuses

    year = Year.objects.get(organization__code="khh", roc_year=112)
    report = json.loads(get_exporter("json").render(build_report(year, include_entries=True))[2])
    for line, dimension in zip(data["dimensions"], report["dimensions"], strict=True):
        assert line["max"] == dimension["max_score"]
        assert line["self"] == dimension["scores"]["self"]["score"]


DIMS = ("max", "score", "self", "review")

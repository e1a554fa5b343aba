"""The JSON file: export -> import into an empty database -> export gives the same bytes."""

import json

import pytest
from django.core.management import call_command

from benchmarks import synthetic
from perfreport.reports import json_schema
from perfreport.reports.exporters import get_exporter
from perfreport.reports.importing import import_report
from perfreport.reports.selectors import build_report
from scoring.models import DimensionScore, GradeBands, ScoreSheet
from strategies.models import (
    Dimension,
    Indicator,
    IndicatorValue,
    Item,
    Membership,
    Method,
    MonthlyEntry,
    Organization,
    Strategy,
    Unit,
    Year,
)

EVERYTHING = [
    IndicatorValue,
    MonthlyEntry,
    DimensionScore,
    Indicator,
    Item,
    Method,
    Strategy,
    Dimension,
    GradeBands,
    ScoreSheet,
    Year,
    Membership,
    Unit,
]


def empty_database() -> None:
    for model in EVERYTHING:
        model.objects.all().delete()
    Organization.objects.filter(parent__isnull=False).delete()
    Organization.objects.all().delete()


def export_json(year: Year) -> bytes:
    filename, content_type, content = get_exporter("json").render(
        build_report(year, include_entries=True, include_unsigned_review=True)
    )
    assert filename.endswith(".json")
    assert content_type == "application/json"
    return content


def test_seed_round_trip_is_exact(seed):
    year = Year.objects.get(organization__code="khh", roc_year=112)
    first = export_json(year)
    empty_database()
    assert not Year.objects.exists()

    imported = import_report(raw=first)

    assert export_json(imported) == first
    document = json.loads(first)
    assert document["schema_version"] == json_schema.SCHEMA_VERSION
    items = [
        i
        for d in document["dimensions"]
        for s in d["strategies"]
        for m in s["methods"]
        for i in m["items"]
    ]
    assert len(items) == 47
    assert [d["scores"]["self"]["score"] for d in document["dimensions"]] == [
        "184.0",
        "284.0",
        "182.0",
        "186.0",
        "84.0",
    ]


def test_round_trip_with_entries_reviews_and_retired_rows(org, tmp_path):
    year = synthetic.build_year(org, 113, with_entries=True, score_round="review")
    item = Item.objects.filter(method__strategy__dimension__year=year).order_by("pk").first()
    item.is_retired = True
    item.save()
    first = export_json(year)
    empty_database()

    path = tmp_path / "year.json"
    path.write_bytes(first)
    call_command("import_report", str(path), verbosity=0)

    again = export_json(Year.objects.get(organization__code="khh", roc_year=113))
    assert again == first
    document = json.loads(again)
    entry = document["dimensions"][0]["strategies"][0]["methods"][0]["items"][0]["entries"][0]
    assert entry["values"] == [{"indicator": 1, "value": "1.00"}]
    assert document["dimensions"][0]["scores"]["review"]["score"] == "184.0"


@pytest.mark.parametrize("fmt", ["json"])
def test_export_command_writes_the_file(seed, tmp_path, fmt):
    out = tmp_path / f"khh.{fmt}"
    call_command(
        "export_report", "--org", "khh", "--year", "112", "--format", fmt, "--output", str(out)
    )
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["organization"]["code"] == "khh"
    assert document["year"]["roc_year"] == 112


def test_the_file_is_laid_out_as_json_dumps_would(org):
    """Written piece by piece, the bytes are still json.dumps(indent=2)'s, entries included."""
    year = synthetic.build_year(org, 113, scale=1, status=Year.Status.OPEN)
    synthetic.fill_entries(year, months=(1, 9, 10, 11))
    MonthlyEntry.objects.filter(month=11).update(narrative='引號 " 與 \\ 反斜線\n換行\t定位')
    content = export_json(year)
    document = json.loads(content)
    assert content == (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()
    entries = document["dimensions"][0]["strategies"][0]["methods"][0]["items"][0]["entries"]
    assert [e["month"] for e in entries[:4]] == [1, 9, 10, 11]
    assert entries[0]["values"] == [{"indicator": 1, "value": "1.00"}]


def test_an_imported_year_has_its_history_written_in_bulk(org):
    """Each imported row has its creation record; an item's records its host units."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    year = synthetic.build_year(org, 113, scale=1, status=Year.Status.OPEN)
    synthetic.fill_entries(year, months=(1, 2))
    content = export_json(year)
    items, entries = Item.objects.count(), MonthlyEntry.objects.count()
    rows = items + Indicator.objects.count() + entries + IndicatorValue.objects.count()
    empty_database()
    with CaptureQueriesContext(connection) as ctx:
        imported = import_report(raw=content)
    # Items, indicators, entries and values go in batches: far fewer queries than rows.
    assert len(ctx) < rows / 3
    assert export_json(imported) == content
    assert Item.history.filter(history_type="+").count() == items
    assert MonthlyEntry.history.filter(history_type="+").count() == entries == 47 * 4 * 2
    item = Item.objects.filter(method__strategy__dimension__year=imported).first()
    record = item.history.get()
    assert record.history_change_reason == "import_report"
    assert {u.unit.name for u in record.host_units.all()} == {u.name for u in item.host_units.all()}


def test_an_imported_rows_history_record_copies_the_row_and_names_the_importer(
    org, django_user_model
):
    """The creation records are copied from the rows as written, with the person importing
    (the request's user, as django-simple-history records it) and the import as reason."""
    from django.test import RequestFactory
    from simple_history.models import HistoricalRecords

    year = synthetic.build_year(org, 113, scale=1, status=Year.Status.OPEN)
    synthetic.fill_entries(year, months=(1, 2))
    content = export_json(year)
    empty_database()
    importer = django_user_model.objects.create(username="importer")
    request = RequestFactory().post("/")
    request.user = importer
    HistoricalRecords.context.request = request
    try:
        imported = import_report(raw=content)
    finally:
        del HistoricalRecords.context.request

    entry = MonthlyEntry.objects.filter(
        item__method__strategy__dimension__year=imported, status="approved"
    ).first()
    record = entry.history.get()
    fields = ("item_id", "unit_id", "month", "status", "narrative", "version")
    assert [getattr(record, f) for f in fields] == [getattr(entry, f) for f in fields]
    assert (record.submitted_at, record.approved_at, record.updated_at) == (
        entry.submitted_at,
        entry.approved_at,
        entry.updated_at,
    )
    assert (record.history_type, record.history_change_reason) == ("+", "import_report")
    assert record.history_user == importer
    value = entry.values.first()
    value_record = value.history.get()
    assert (value_record.value, value_record.indicator_id) == (value.value, value.indicator_id)
    assert value_record.history_user == importer
    indicator = Indicator.objects.filter(item__method__strategy__dimension__year=imported).first()
    assert indicator.history.get().target == indicator.target

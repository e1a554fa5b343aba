"""The plan round trip: export the 112 plan, import it as year 114 of a new organization, export
again: the same cells. And the year-end report's own workbook is a valid plan file."""

from decimal import Decimal

import pytest

from strategies.models import Indicator, Item, Year
from strategies.plan_export import export_plan
from strategies.services.plan_import import apply_import, preview_import
from tests.plan_files import branch_with_same_units, load_seed
from tests.plan_workbook_cells import sheet_cells

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not __import__("tests.plan_files").plan_files.SEED.exists(), reason="no seed"
    ),
]


def test_export_import_export_gives_the_same_cells(django_assert_max_num_queries):
    y112 = load_seed()
    with django_assert_max_num_queries(8):
        name, content_type, first = export_plan(y112)
    assert name == "khh-112-plan.xlsx"
    assert content_type.endswith("spreadsheetml.sheet")
    cells = sheet_cells(first)
    assert list(cells) == ["構面一", "構面二", "構面三", "構面四", "構面五"]
    assert cells["構面一"][0][0] == "構面一：基礎服務 (200 分)"
    assert cells["構面一"][1][:6] == [
        "執行策略",
        "執行方法",
        "",
        "主辦單位",
        "具體作法",
        "執行績效與成果 (1-12 月)",
    ]
    assert cells["構面一"][2][0] == "(一)服務一致及正確性"

    hsz = branch_with_same_units(y112.organization)
    preview = preview_import(organization=hsz, roc_year=114, data=first)
    assert preview.problems == []
    assert not preview.year_exists
    kinds = [c.kind for c in preview.created]
    assert (kinds.count("執行策略"), kinds.count("執行方法"), kinds.count("填報項目")) == (
        11,
        23,
        47,
    )
    assert not Year.objects.filter(organization=hsz).exists()  # the preview wrote nothing

    _, y114 = apply_import(organization=hsz, roc_year=114, data=first, user=None)
    assert y114.status == Year.Status.PLANNING
    _, _, second = export_plan(y114)
    assert sheet_cells(second) == cells

    old = Item.objects.filter(method__strategy__dimension__year=y112).order_by(
        "method__strategy__dimension__number", "method__strategy__order", "method__order", "order"
    )
    new = Item.objects.filter(method__strategy__dimension__year=y114).order_by(
        "method__strategy__dimension__number", "method__strategy__order", "method__order", "order"
    )
    assert [(i.title, i.host_label, sorted(u.name for u in i.host_units.all())) for i in new] == [
        (i.title, i.host_label, sorted(u.name for u in i.host_units.all())) for i in old
    ]
    targets = lambda y: list(  # noqa: E731
        Indicator.objects.filter(item__method__strategy__dimension__year=y)
        .order_by(
            "item__method__strategy__dimension__number",
            "item__method__strategy__order",
            "item__method__order",
            "item__order",
            "order",
        )
        .values_list("name", "measure", "target", "aggregation")
    )
    assert targets(y114) == targets(y112)
    assert (
        not Item.objects.filter(method__strategy__dimension__year=y114).exclude(results="").exists()
    )


def test_importing_the_same_file_again_changes_nothing():
    y112 = load_seed()
    _, _, data = export_plan(y112)
    hsz = branch_with_same_units(y112.organization)
    apply_import(organization=hsz, roc_year=114, data=data, user=None)
    preview = preview_import(organization=hsz, roc_year=114, data=data)
    assert (preview.created, preview.changed, preview.retired) == ([], [], [])
    assert preview.unchanged == 47


def test_the_report_workbook_is_a_valid_plan_file():
    xlsx = pytest.importorskip("perfreport.reports.exporters.xlsx")
    selectors = pytest.importorskip("perfreport.reports.selectors")
    y112 = load_seed()
    _, _, report = xlsx.XlsxExporter().render(selectors.build_report(y112))
    hsz = branch_with_same_units(y112.organization)
    preview = preview_import(organization=hsz, roc_year=114, data=report)
    assert [str(p) for p in preview.problems] == []
    _, y114 = apply_import(organization=hsz, roc_year=114, data=report, user=None)
    new = {
        (i.method.title, i.title): sorted(u.name for u in i.host_units.all())
        for i in Item.objects.filter(method__strategy__dimension__year=y114)
    }
    old = {
        (i.method.title, i.title): sorted(u.name for u in i.host_units.all())
        for i in Item.objects.filter(method__strategy__dimension__year=y112)
    }
    assert new == old  # "各科、辦事處", "各單位", "金門、澎湖辦事處" resolve to the same units
    # The report carries no targets and no results: the plan has neither.
    assert not Indicator.objects.filter(item__method__strategy__dimension__year=y114).exists()


def test_preview_lists_created_changed_and_retired_and_apply_does_exactly_that():
    from strategies.models import Membership
    from tests import factories
    from tests.plan_files import edited

    y112 = load_seed()
    admin_user = factories.make_user("importer", y112.organization, Membership.Role.ADMIN)
    Year.objects.filter(pk=y112.pk).update(status=Year.Status.PLANNING)
    _, _, data = export_plan(y112)
    kept = Item.objects.get(
        method__strategy__dimension__year=y112, method__title="提高服務人員專業度:"
    )

    def change(wb):
        ws = wb["構面一"]
        # Row 3 is the first item: a new target for its first indicator would be column J.
        for row in range(3, ws.max_row + 1):
            if ws.cell(row, 5).value and "預計舉辦 9 場次" in str(ws.cell(row, 5).value):
                ws.cell(row, 5).value = str(ws.cell(row, 5).value).replace("9 場次", "10 場次")
        last = ws.max_row
        ws.delete_rows(last)  # the dimension's last item leaves the plan
        ws.cell(last + 2, 1).value = "(九)新策略"
        ws.cell(last + 2, 2).value = "新方法"
        ws.cell(last + 2, 4).value = "秘書室"
        ws.cell(last + 2, 5).value = "辦理 2 場說明會"

    preview = preview_import(
        organization=y112.organization, roc_year=112, data=edited(data, change)
    )
    assert preview.problems == []
    assert [c.kind for c in preview.created] == ["執行策略", "執行方法", "填報項目"]
    assert [c.detail for c in preview.changed if c.kind == "填報項目"] == ["具體作法"]
    assert [c.kind for c in preview.retired] == ["填報項目"]

    apply_import(
        organization=y112.organization, roc_year=112, data=edited(data, change), user=admin_user
    )
    kept.refresh_from_db()
    assert "預計舉辦 10 場次" in kept.planned_actions
    assert kept.history.first().history_change_reason == "匯入計畫檔"
    assert Item.objects.filter(method__strategy__dimension__year=y112, is_retired=True).count() == 1
    new = Item.objects.get(method__title="新方法")
    assert [u.name for u in new.host_units.all()] == ["秘書室"]
    assert new.method.strategy.title == "新策略"
    assert Item.objects.get(pk=kept.pk).results  # results of a matched item survive an import


def test_a_target_change_is_reported_as_such():
    from tests.plan_files import edited

    y112 = load_seed()
    Year.objects.filter(pk=y112.pk).update(status=Year.Status.PLANNING)
    _, _, data = export_plan(y112)

    def change(wb):
        ws = wb["構面一"]
        for row in range(3, ws.max_row + 1):
            if ws.cell(row, 10).value and str(ws.cell(row, 10).value).strip():
                ws.cell(row, 10).value = "\n".join(
                    "99" if line.strip() else line
                    for line in str(ws.cell(row, 10).value).split("\n")
                )
                return

    preview = preview_import(
        organization=y112.organization, roc_year=112, data=edited(data, change)
    )
    assert [c.detail for c in preview.changed] == ["目標值"]
    apply_import(organization=y112.organization, roc_year=112, data=edited(data, change), user=None)
    assert Indicator.objects.filter(target=Decimal(99)).exists()

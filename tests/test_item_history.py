"""Item history: every version of every entry, value, file and comment: who, when, old -> new."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from strategies.selectors.entries import item_for_entry
from strategies.selectors.history import item_history
from strategies.services import entries as services
from tests import evidence_samples as samples
from tests.conftest import login


def run_workflow(item, unit, staff, head, month=1):
    indicator = item.indicators.get()
    entry = services.save_entry(
        user=staff,
        item=item,
        unit=unit,
        month=month,
        version=0,
        narrative="辦理 1 場次",
        values={indicator.pk: 1},
        files=[SimpleUploadedFile("簽到表.pdf", samples.PDF)],
    )
    entry = services.save_entry(
        user=staff,
        item=item,
        unit=unit,
        month=month,
        version=entry.version,
        narrative="辦理 1 場次",
        values={indicator.pk: 1},
        submit=True,
    )
    entry = services.return_entry(
        user=head, entry=entry, version=entry.version, reason="場次數有誤"
    )
    services.add_comment(user=head, entry=entry, body="請依簽到表更正")
    entry = services.save_entry(
        user=staff,
        item=item,
        unit=unit,
        month=month,
        version=entry.version,
        narrative="辦理 2 場次",
        values={indicator.pk: 2},
        submit=True,
    )
    return services.approve_entry(user=head, entry=entry, version=entry.version)


def test_history_shows_who_when_old_new_and_reasons(client, item, unit_a, staff_a, head_a, auditor):
    run_workflow(item, unit_a, staff_a, head_a)
    login(client, auditor)
    response = client.get(reverse("strategies:item-history", args=[item.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    for text in [
        "度量衡科承辦人",
        "度量衡科科長",
        "場次數有誤",  # the return reason
        "請依簽到表更正",  # the comment
        "簽到表.pdf",
        "<del>辦理 1 場次</del>",
        "<ins>辦理 2 場次</ins>",
        "<del>已送出</del> → <ins>已核定</ins>",
        "修正後再送出",
    ]:
        assert text in page, text


def test_events_newest_first_with_value_changes(item, unit_a, staff_a, head_a):
    run_workflow(item, unit_a, staff_a, head_a)
    events = item_history(item, membership=head_a.membership)
    assert events[0].action == "修改"
    assert events[0].changes[0].new == "已核定"
    values = [e for e in events if e.kind == "指標數值"]
    assert [(c.old, c.new) for e in reversed(values) for c in e.changes] == [("", "1"), ("1", "2")]
    assert all(e.who for e in events)
    assert {e.month for e in events} == {1}


def test_history_query_count_does_not_grow(item, unit_a, staff_a, head_a):
    run_workflow(item, unit_a, staff_a, head_a, month=1)
    # As the page loads it: the item with its host units prefetched.
    loaded = item_for_entry(item.pk)
    with CaptureQueriesContext(connection) as few:
        item_history(loaded, membership=head_a.membership)
    for month in range(2, 12):
        run_workflow(item, unit_a, staff_a, head_a, month=month)
    loaded = item_for_entry(item.pk)
    with CaptureQueriesContext(connection) as many:
        events = item_history(loaded, membership=head_a.membership)
    # entries, indicator values, evidence files, comments
    assert len(many) == len(few) == 4
    assert len(events) == 99  # 9 events a month over 11 months


def test_staff_of_another_unit_cannot_read_it(client, item, staff_b, outsider):
    login(client, staff_b)
    assert client.get(reverse("strategies:item-history", args=[item.pk])).status_code == 403
    login(client, outsider)
    assert client.get(reverse("strategies:item-history", args=[item.pk])).status_code == 404


def test_staff_of_a_co_host_see_only_their_own_units_entries(
    client, year, unit_a, unit_b, staff_a, staff_b, head_a, auditor
):
    """An item hosted by two units: staff of unit B may open the item's history, but unit A's
    narratives, values, files, comments and return reasons are not theirs to read."""
    from tests import factories

    shared = factories.make_item(year, hosts=[unit_a, unit_b], dimension=2)
    run_workflow(shared, unit_a, staff_a, head_a)
    services.save_entry(
        user=staff_b,
        item=shared,
        unit=unit_b,
        month=1,
        version=0,
        narrative="秘書室自己的紀錄",
        values={shared.indicators.get().pk: 7},
    )
    url = reverse("strategies:item-history", args=[shared.pk])
    unit_a_texts = ["辦理 2 場次", "場次數有誤", "請依簽到表更正", "簽到表.pdf"]

    login(client, staff_b)
    page = client.get(url).content.decode()
    assert "秘書室自己的紀錄" in page
    for text in unit_a_texts:
        assert text not in page, text

    login(client, auditor)
    page = client.get(url).content.decode()
    for text in [*unit_a_texts, "秘書室自己的紀錄"]:
        assert text in page, text

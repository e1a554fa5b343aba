"""No lost updates: the second save from the same version is refused and shows the first."""

import pytest
from django.urls import reverse

from strategies.errors import StaleVersionError
from strategies.models import MonthlyEntry
from strategies.services import entries as services
from tests.conftest import login


def test_second_save_from_the_same_version_is_refused(client, item, unit_a, staff_a, head_a):
    indicator = item.indicators.get()
    first = services.save_entry(
        user=staff_a,
        item=item,
        unit=unit_a,
        month=1,
        version=0,
        narrative="草稿",
        values={indicator.pk: 1},
    )
    # Both open version 1; the head saves first.
    services.save_entry(
        user=head_a,
        item=item,
        unit=unit_a,
        month=1,
        version=first.version,
        narrative="科長補充：1/20 辦理",
        values={indicator.pk: 2},
    )
    login(client, staff_a)
    response = client.post(
        reverse("strategies:entry-edit", args=[item.pk, unit_a.pk, 1]),
        {"version": 1, "narrative": "承辦人的版本", "action": "save", f"value_{indicator.pk}": "5"},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "度量衡科科長" in page
    assert "科長補充：1/20 辦理" in page
    assert 'id="stale-notice"' in page
    entry = MonthlyEntry.objects.get()
    assert entry.narrative == "科長補充：1/20 辦理"
    assert entry.version == 2
    assert entry.values.get().value == 2


def test_two_people_creating_the_same_month(item, unit_a, staff_a, head_a):
    indicator = item.indicators.get()
    services.save_entry(
        user=head_a, item=item, unit=unit_a, month=1, version=0, narrative="先", values={}
    )
    with pytest.raises(StaleVersionError) as caught:
        services.save_entry(
            user=staff_a,
            item=item,
            unit=unit_a,
            month=1,
            version=0,
            narrative="後",
            values={indicator.pk: 1},
        )
    assert caught.value.current.narrative == "先"
    assert MonthlyEntry.objects.get().narrative == "先"


def test_stale_review_is_refused(item, unit_a, staff_a, head_a):
    entry = services.save_entry(
        user=staff_a,
        item=item,
        unit=unit_a,
        month=1,
        version=0,
        narrative="送出",
        values={},
        submit=True,
    )
    services.return_entry(user=head_a, entry=entry, version=entry.version, reason="請補充")
    with pytest.raises(StaleVersionError):
        services.approve_entry(user=head_a, entry=entry, version=entry.version)
    entry.refresh_from_db()
    assert entry.status == MonthlyEntry.Status.RETURNED

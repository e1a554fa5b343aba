"""A tampered entry form (hidden fields changed by hand) is refused with a visible message."""

import pytest
from django.urls import reverse

from strategies.models import MonthlyEntry
from tests.conftest import login


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tampered",
    [{"version": "abc"}, {"action": "delete"}, {"remove_evidence": "999"}],
    ids=["version", "action", "evidence-of-another-entry"],
)
def test_tampered_hidden_fields_get_a_message_and_change_nothing(
    client, item, unit_a, staff_a, tampered
):
    login(client, staff_a)
    url = reverse("strategies:entry-edit", args=[item.pk, unit_a.pk, 1])
    data = {"version": "0", "action": "save", "narrative": "辦理 1 場次", **tampered}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "表單內容不完整或已被修改" in response.content.decode()
    assert not MonthlyEntry.objects.exists()

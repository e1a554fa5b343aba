"""`make run` loads the demo data once and keeps what users changed afterwards."""

import pytest
from django.core.management import call_command

from strategies.models import Item, Organization


@pytest.mark.django_db
def test_load_demo_loads_the_112_report_and_users_once():
    call_command("load_demo", verbosity=0)
    assert Organization.objects.get(code="khh").years.get(roc_year=112)
    item = Item.objects.filter(method__strategy__dimension__year__roc_year=112).first()
    item.results = "已修改"
    item.save()
    call_command("load_demo", verbosity=0)
    item.refresh_from_db()
    assert item.results == "已修改"
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.filter(username="metrology-staff").exists()

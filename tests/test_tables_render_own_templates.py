"""Every table renders with its own template: no project-wide django-tables2 template (the
Bootstrap one the settings used to name is not what the app renders). The pages are the same
whatever that setting says (but for the per-request CSRF token)."""

import re

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests import factories
from tests.test_hq_comparison import branches  # noqa: F401 (a fixture)

CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')


def _pages(client, hq_auditor, auditor, year):
    client.force_login(hq_auditor)
    comparison = client.get(reverse("scoring:hq-comparison")).content
    client.force_login(auditor)
    review = client.get(reverse("scoring:review", args=[year.organization.code, year.roc_year]))
    return [CSRF.sub(b"", page) for page in (comparison, review.content)]


@pytest.mark.django_db
def test_pages_do_not_depend_on_a_project_table_template(
    client,
    settings,
    branches,  # noqa: F811
    hq_auditor,
    auditor,
    unit_a,
):
    year = branches[0]
    factories.make_item(year, hosts=[unit_a])
    assert not hasattr(django_settings, "DJANGO_TABLES2_TEMPLATE")
    plain = _pages(client, hq_auditor, auditor, year)
    settings.DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"
    assert _pages(client, hq_auditor, auditor, year) == plain
    assert b"<table" in plain[0] and b"<table" in plain[1]

"""Pages show ROC years as people read them: 113 in Chinese, 113 (2024) in English."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import login


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "shown", "absent"), [("zh-hant", "113 年度", "(2024)"), ("en", "113 (2024)", None)]
)
def test_my_work_and_score_sheet_show_the_year(
    client, year, item, staff_a, language, shown, absent
):
    login(client, staff_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for url in (reverse("strategies:my-work"), reverse("scoring:score-sheet", args=["khh", 113])):
        body = client.get(url).content.decode()
        assert shown in body, url
        if absent:
            assert absent not in body, url

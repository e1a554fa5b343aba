"""One way to show a date: 113/02/10 in Chinese (113年2月10日 in documents), the ISO date with the
ROC year in English; a moment shows its Taipei date and time."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

from strategies.deadlines import TAIPEI
from strategies.roc import roc_date, roc_date_text, roc_datetime


@pytest.mark.parametrize(
    ("day", "short", "long"),
    [
        (dt.date(2024, 2, 10), "113/02/10", "113年2月10日"),
        (dt.date(2011, 12, 31), "100/12/31", "100年12月31日"),
        (dt.date(1999, 1, 1), "088/01/01", "88年1月1日"),
    ],
)
def test_roc_dates(day, short, long):
    assert roc_date_text(day) == short
    assert roc_date_text(day, long=True) == long


def test_english_keeps_the_iso_date_with_the_roc_year():
    with translation.override("en"):
        assert roc_date(dt.date(2024, 2, 10)) == "2024-02-10 (ROC 113)"
    with translation.override("zh-hant"):
        assert roc_date(dt.date(2024, 2, 10)) == "113/02/10"


def test_a_moment_shows_its_taipei_date_and_time():
    # 2024-02-09 17:30 UTC is 2024-02-10 01:30 in Taipei.
    moment = dt.datetime(2024, 2, 9, 17, 30, tzinfo=dt.UTC)
    with translation.override("zh-hant"):
        assert roc_datetime(moment) == "113/02/10 01:30"
        assert roc_date(moment) == "113/02/10"
    assert moment.astimezone(TAIPEI).day == 10


def test_not_a_date_shows_nothing():
    assert roc_date(None) == ""
    assert roc_date("2024-02-10") == ""


def test_the_filters_in_templates():
    template = Template('{{ d|roc_date }}｜{{ d|roc_date:"long" }}')
    with translation.override("zh-hant"):
        assert template.render(Context({"d": dt.date(2024, 2, 10)})) == "113/02/10｜113年2月10日"

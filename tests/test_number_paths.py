"""An item's number is the same read for one item, a page of items or the whole year."""

from strategies.models import Item, Year
from strategies.selectors.entries import item_for_entry, number_path_of, number_paths


def test_the_three_readings_agree_on_the_seed(seed, django_assert_num_queries):
    year = Year.objects.get(organization__code="khh", roc_year=112)
    everything = number_paths(year)
    assert everything and "一(二)2(3)" in everything.values()
    pks = sorted(everything)
    with django_assert_num_queries(3):
        page = number_paths(year, pks[10:30])
    assert {pk: page[pk] for pk in pks[10:30]} == {pk: everything[pk] for pk in pks[10:30]}
    for pk in pks:
        item = item_for_entry(pk)
        with django_assert_num_queries(2):
            assert number_path_of(item) == everything[pk]


def test_a_retired_item_has_no_number(seed):
    year = Year.objects.get(organization__code="khh", roc_year=112)
    item = Item.objects.filter(method__strategy__dimension__year=year).first()
    Item.objects.filter(pk=item.pk).update(is_retired=True)
    assert number_path_of(item_for_entry(item.pk)) == ""
    assert item.pk not in number_paths(year)

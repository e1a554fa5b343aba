"""The monthly entry's transition table (strategies.entry_lifecycle) is what the services obey:
every move in the table happens, every (state, action) pair outside it is refused with the
table's message and changes nothing, and the entry page offers only the table's moves."""

import pytest
from django.urls import reverse

from strategies import entry_lifecycle
from strategies.entry_lifecycle import NEW, STATES, TRANSITIONS, Action
from strategies.errors import DomainError
from strategies.models import MonthlyEntry
from strategies.services import entries as services
from tests.conftest import login

Status = MonthlyEntry.Status


@pytest.fixture
def cast(staff_a, head_a, admin_user):
    return {"staff": staff_a, "head": head_a, "admin": admin_user}


def _entry_in(state, item, unit, staff):
    if state == NEW:
        return None
    return MonthlyEntry.objects.create(
        item=item,
        unit=unit,
        month=1,
        status=state,
        narrative="辦理 1 場次",
        created_by=staff,
        updated_by=staff,
        submitted_by=staff,
        version=1,
    )


def _act(action, entry, item, unit, cast):
    if action in {Action.SAVE, Action.SUBMIT}:
        return services.save_entry(
            user=cast["staff"],
            item=item,
            unit=unit,
            month=1,
            version=entry.version if entry else 0,
            narrative="辦理 2 場次",
            values={},
            submit=action == Action.SUBMIT,
        )
    if action == Action.APPROVE:
        return services.approve_entry(user=cast["head"], entry=entry, version=entry.version)
    if action == Action.RETURN:
        return services.return_entry(
            user=cast["head"], entry=entry, version=entry.version, reason="請補充"
        )
    return services.reopen_entry(
        user=cast["admin"], entry=entry, version=entry.version, reason="更正"
    )


# Acting on a month that has no entry yet only makes sense for saving and submitting.
PAIRS = [
    (state, action)
    for state in STATES
    for action in Action
    if state != NEW or action in {Action.SAVE, Action.SUBMIT}
]


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "action"), [p for p in PAIRS if p in TRANSITIONS])
def test_every_move_in_the_table_happens(state, action, item, unit_a, cast):
    entry = _entry_in(state, item, unit_a, cast["staff"])
    moved = _act(action, entry, item, unit_a, cast)
    stored = MonthlyEntry.objects.get(pk=moved.pk)
    assert stored.status == TRANSITIONS[(state, action)]


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "action"), [p for p in PAIRS if p not in TRANSITIONS])
def test_every_pair_outside_the_table_is_refused_and_changes_nothing(
    state, action, item, unit_a, cast
):
    entry = _entry_in(state, item, unit_a, cast["staff"])
    before = MonthlyEntry.objects.values("status", "version", "narrative").get(pk=entry.pk)
    with pytest.raises(entry_lifecycle.TransitionRefused) as expected:
        entry_lifecycle.next_state(state, action)
    with pytest.raises(DomainError) as refused:
        _act(action, entry, item, unit_a, cast)
    assert refused.value.message == str(expected.value)
    after = MonthlyEntry.objects.values("status", "version", "narrative").get(pk=entry.pk)
    assert after == before


def test_the_table_keeps_todays_refusals():
    with pytest.raises(entry_lifecycle.TransitionRefused, match="；如需更正，請主管退回。"):
        entry_lifecycle.next_state(Status.SUBMITTED, Action.SAVE)
    with pytest.raises(entry_lifecycle.TransitionRefused, match="只有已送出的填報可以核定或退回"):
        entry_lifecycle.next_state(Status.APPROVED, Action.RETURN)
    with pytest.raises(entry_lifecycle.TransitionRefused, match="不需要重新開放"):
        entry_lifecycle.next_state(Status.RETURNED, Action.REOPEN)
    assert {NEW, Status.DRAFT, Status.RETURNED} == entry_lifecycle.EDITABLE


@pytest.mark.django_db
@pytest.mark.parametrize("state", [s for s in STATES if s != NEW])
def test_the_entry_page_offers_the_tables_moves(client, state, item, unit_a, cast):
    """The head sees approve/return only where the table allows it, the admin reopen only
    where the table allows it, and the form only in an editable state."""
    _entry_in(state, item, unit_a, cast["staff"])
    url = reverse("strategies:entry-edit", args=[item.pk, unit_a.pk, 1])
    head_page = login(client, cast["head"]).get(url).content.decode()
    assert ('name="action" value="approve"' in head_page) == entry_lifecycle.allows(
        state, Action.APPROVE
    )
    admin_page = login(client, cast["admin"]).get(url).content.decode()
    assert ('id="reopen-heading"' in admin_page) == entry_lifecycle.allows(state, Action.REOPEN)
    staff_page = login(client, cast["staff"]).get(url).content.decode()
    assert ('id="entry-form"' in staff_page) == (state in entry_lifecycle.EDITABLE)

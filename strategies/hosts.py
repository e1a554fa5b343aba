"""From a printed host label (主辦單位) to the units it names.

The seed writes host units the way people do: "各科、辦事處", "各單位", "金門、澎湖辦事處" (a
shared suffix), "報驗發證科 (各單位)". Collective names resolve to the organization's units in
use, never to free text (GLOSSARY.md).
"""

import re

from strategies.models import Unit

Kind = Unit.Kind
# Collective host names of the seed, and what they stand for (units in use of these kinds).
COLLECTIVE = {
    "各單位": None,  # every unit
    "全局": None,
    "各科室": None,
    "各科": {Kind.SECTION},
    "各辦事處": {Kind.OFFICE},
    "辦事處": {Kind.OFFICE},
    "各室": {Kind.SECRETARIAT},
}
_SUFFIXES = ("辦事處", "科", "室")


def resolve_hosts(label: str, units: list[Unit]) -> tuple[list[Unit], list[str], list[str]]:
    """The units a printed host label names: (units, unknown names, retired names).

    Understands the seed's writing: "各科、辦事處", "各單位", "金門、澎湖辦事處" (a shared
    suffix), "報驗發證科 (各單位)", names separated by spaces, 、 or commas.
    """
    by_name = {u.name: u for u in units}
    active = [u for u in units if u.is_active]
    text = label.replace("各科、辦事處", " 各科 各辦事處 ")
    found: list[Unit] = []
    unknown: list[str] = []
    retired: list[str] = []
    for group in re.split(r"[\s()（）,，/／;；]+", text):
        parts = [p for p in group.split("、") if p]
        if not parts:
            continue
        suffix = next((s for s in _SUFFIXES if parts[-1].endswith(s)), "")
        for part in parts:
            if part in COLLECTIVE:
                kinds = COLLECTIVE[part]
                found.extend(u for u in active if kinds is None or u.kind in kinds)
                continue
            unit = by_name.get(part) or (by_name.get(part + suffix) if suffix else None)
            if unit is None:
                starts = [u for u in units if u.name.startswith(part)]
                unit = starts[0] if len(starts) == 1 else None
            if unit is None:
                unknown.append(part)
            elif not unit.is_active:
                retired.append(unit.name)
            else:
                found.append(unit)
    unique = {u.pk: u for u in found}
    return sorted(unique.values(), key=lambda u: (u.order, u.name)), unknown, retired

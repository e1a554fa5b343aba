"""The seed's numbering: 一 for dimensions, (一) for strategies, 1. for methods, (1) for items.

Pure functions, no database: numbers follow order, so a reordered plan renumbers itself.
"""

from collections.abc import Hashable, Iterable

_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 21 -> 二十一 (enough for any plan's lists)."""
    if n <= 0:
        raise ValueError("numerals start at 1")
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n - 10] if n > 10 else "")
    if n < 100:
        tens, ones = divmod(n, 10)
        return _DIGITS[tens] + "十" + (_DIGITS[ones] if ones else "")
    return str(n)


def dimension_label(number: int) -> str:
    return chinese_numeral(number)


def strategy_label(position: int) -> str:
    return f"({chinese_numeral(position)})"


def method_label(position: int, siblings: int) -> str:
    """The seed numbers a method only when its strategy has more than one."""
    return f"{position}." if siblings > 1 else ""


def item_label(position: int, siblings: int) -> str:
    """The seed numbers an item only when its method has more than one."""
    return f"({position})" if siblings > 1 else ""


def positions[K: Hashable](
    retired_in_order: Iterable[tuple[K, bool]],
) -> dict[K, tuple[int, int]]:
    """Each sibling's (position, live siblings), from (key, is_retired) in plan order: retired
    siblings keep no number, so the rest renumber. The report, the number paths and the
    filters all number by it.

    >>> positions([("a", False), ("b", True), ("c", False)])
    {'a': (1, 2), 'c': (2, 2)}
    """
    live = [key for key, retired in retired_in_order if not retired]
    return {key: (n, len(live)) for n, key in enumerate(live, start=1)}


def roc_month(roc_year: int, month: int) -> str:
    """113, 1 -> '113.1' as the seed writes an assessment month."""
    return f"{roc_year}.{month}"


def parse_roc_month(text: str) -> tuple[int, int]:
    """'113.1' -> (113, 1); raises ValueError with a readable message."""
    try:
        year_part, month_part = text.strip().split(".")
        year, month = int(year_part), int(month_part)
    except ValueError:
        raise ValueError(f"考核年月應寫成「113.1」的形式，收到「{text}」") from None
    if not 1 <= month <= 12 or year <= 0:
        raise ValueError(f"考核年月「{text}」不是有效的民國年月")
    return year, month

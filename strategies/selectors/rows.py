"""Lists of the home pages read from the database a page at a time.

A `Rows` list is a query giving the list's keys in order and a function turning a slice of keys
into what the page shows. Django's Paginator pages it (`count()` and a slice). A slice reads its
keys at once and is built when first used (`Built`), so a page holding several lists reads every
list's keys first and then what they show (plan items, entries) once for all of them.
"""

from collections.abc import Callable, Iterator, Sequence
from functools import cached_property
from typing import Any, overload

from django.db.models import QuerySet


class Built[T](Sequence[T]):
    """The rows of one slice, built on first use."""

    def __init__(self, build: Callable[[], list[T]]) -> None:
        self._build = build

    @cached_property
    def _rows(self) -> list[T]:
        return self._build()

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        return self._rows[index]

    def __iter__(self) -> Iterator[T]:
        return iter(self._rows)

    def __eq__(self, other: object) -> bool:  # and so unhashable, as a list is
        return self._rows == (list(other) if isinstance(other, Built) else other)

    def __repr__(self) -> str:
        return repr(self._rows)


class Rows[T]:
    """A list read in pages: `query` gives the list's keys in order; `keys_read` is told of each
    slice's keys as soon as they are read (to read what they show together with other lists'),
    and `build` turns them into what the page shows."""

    def __init__(
        self,
        query: QuerySet[Any, Any],
        build: Callable[[list[Any]], list[T]],
        known_count: Callable[[], int | None] = lambda: None,
        keys_read: Callable[[list[Any]], None] = lambda keys: None,
    ) -> None:
        self.query, self.build, self.known_count = query, build, known_count
        self.keys_read = keys_read

    def count(self) -> int:
        """The list's length: from the stored counts where they say it, else one query."""
        known = self.known_count()
        return self.query.count() if known is None else known

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> Built[T]: ...

    def __getitem__(self, index: int | slice) -> T | Built[T]:
        if isinstance(index, int):  # a sequence's item; the paginator reads slices only
            return self[index : index + 1][0]
        keys = list(self.query[index])
        self.keys_read(keys)
        return Built(lambda: self.build(keys))

    def __iter__(self) -> Iterator[T]:
        return iter(self[:])

    def __eq__(self, other: object) -> bool:  # and so unhashable, as a list is
        return list(self) == other

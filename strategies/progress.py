"""Progress for management commands: a tqdm bar on a terminal, plain lines otherwise (cron, CI,
logs), so long commands say what they are doing without filling log files with bar redraws."""

from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

from tqdm import tqdm


class Stream(Protocol):
    """A text stream: sys.stderr, or a command's self.stdout / self.stderr (OutputWrapper)."""

    def write(self, text: str, /) -> object: ...

    def isatty(self) -> bool: ...


def progress[T](
    items: Iterable[T],
    *,
    desc: str,
    stream: Stream,
    label: Callable[[T], str] = str,
    unit: str = "項",
) -> Iterator[T]:
    """Yield the items, showing how far along we are on `stream`."""
    items = list(items)
    if stream.isatty():
        yield from tqdm(items, desc=desc, unit=unit, file=stream)
        return
    for number, item in enumerate(items, start=1):
        stream.write(f"{desc} [{number}/{len(items)}] {label(item)}\n")
        yield item

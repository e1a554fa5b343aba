"""Progress for management commands: a tqdm bar on a terminal, plain lines otherwise (cron, CI,
logs), so long commands say what they are doing without filling log files with bar redraws."""

from collections.abc import Callable, Iterable, Iterator
from typing import TextIO

from tqdm import tqdm


def progress[T](
    items: Iterable[T],
    *,
    desc: str,
    stream: TextIO,
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

"""What the agents may remember between events: reads of data that changes only when
an import or a plan lands, kept per data version.

A worker hands the agents a batch of events at a time. Before each batch the agents'
data looks at the version once (the newest import run and plan run); when it moved,
everything remembered is forgotten. Within a version a read is made once per key, so
the twentieth count of the same item-location in a backlog costs a dictionary look-up,
not a dozen queries. Open recommendations, which the agents themselves change, are
never remembered.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")

DEFAULT_ENTRIES = 50_000  # per worker process: about a DC's item-locations, read twice


class Memo:
    """A bounded, least-recently-used memory of reads for one data version."""

    def __init__(self, entries: int = DEFAULT_ENTRIES) -> None:
        if entries < 0:
            raise ValueError(f"a memo keeps zero or more entries, not {entries}")
        self.entries = entries
        self.version: Hashable | None = None
        self._kept: OrderedDict[Hashable, object] = OrderedDict()
        self.hits = self.misses = 0

    @property
    def active(self) -> bool:
        """Reads are remembered only once a version has been seen."""
        return self.version is not None and self.entries > 0

    def see(self, version: Hashable) -> bool:
        """Take `version` as current; forget everything when it changed. True if it did."""
        if version == self.version:
            return False
        self._kept.clear()
        self.version = version
        return True

    def recall(self, key: Hashable, read: Callable[[], T]) -> T:
        """The value remembered for `key` in this version, else `read()` remembered."""
        if not self.active:
            return read()
        try:
            value = self._kept[key]
        except KeyError:
            self.misses += 1
            value = read()
            self._kept[key] = value
            if len(self._kept) > self.entries:
                self._kept.popitem(last=False)
            return value
        self.hits += 1
        self._kept.move_to_end(key)
        return value  # type: ignore[return-value]

    def __len__(self) -> int:
        return len(self._kept)

"""A validation cache: steps of loading a scenario that are pure functions of content, memoised
by a hash of that content, so that loading the same (or nearly the same) files again, as
tests, sweeps and notebooks do, skips re-reading and re-validating what did not change.

Three steps are cached, each keyed only by what it reads:

- parsing a CSV file: by the SHA-256 of the file's bytes (not its name or time stamp), so an
  edited file is parsed again and an unchanged one is not;
- validating one table's rows against its schema: by the table's name, the label problems name
  it by, and a hash of its cells (after overrides), so a changed cell re-validates that table
  only;
- the fiber graph the network checks build: by the sites and fiber_links tables' content and
  the network parameters.

Cross-table checks always run (they read every table and the parameters). Tables are handed
out as copies (fiber graphs too; tables by :func:`handout`: with pandas' copy-on-write, pandas >= 3, a shallow copy that
copies its data only when written), so a caller never sees another's changes. :func:`clear` empties the caches; :func:`stats` counts hits and misses.
"""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd

T = TypeVar("T")
MAX_ENTRIES = 512
"""Entries kept per cache (least recently used dropped first); a default table is a few kB."""


class ContentCache:
    """A bounded, thread-safe LRU mapping of content keys to computed values."""

    def __init__(self, name: str, max_entries: int = MAX_ENTRIES):
        self.name = name
        self.max_entries = max_entries
        self._data: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Any, make: Callable[[], T]) -> T:
        """The value stored for `key`, computing it with `make()` on a miss. An exception raised
        by `make` is not stored."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return self._data[key]
            self.misses += 1
        value = make()
        with self._lock:
            self._data[key] = value
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)
        return value

    def clear(self) -> None:
        """Drop every entry and reset the counts."""
        with self._lock:
            self._data.clear()
            self.hits = self.misses = 0


CSV_FILES = ContentCache("csv files")
TABLE_ROWS = ContentCache("table rows")
FIBER_GRAPHS = ContentCache("fiber graphs", max_entries=64)
CACHES = (CSV_FILES, TABLE_ROWS, FIBER_GRAPHS)


COPY_ON_WRITE = int(pd.__version__.split(".")[0]) >= 3
"""pandas >= 3 always copies shared data on the first write (so shallow copies are safe)."""


F = TypeVar("F", pd.DataFrame, pd.Series)


def handout(df: F) -> F:
    """A copy of cached `df` (a DataFrame or Series) that the caller may change without changing the cache."""
    return df.copy(deep=not COPY_ON_WRITE)


def bytes_key(data: bytes) -> str:
    """The content key of a file's bytes."""
    return hashlib.sha256(data).hexdigest()


def frame_key(df: pd.DataFrame) -> str:
    """The content key of a table of strings: its column names, index (the CSV lines) and
    every cell."""
    content = (list(df.columns), df.index.tolist(), df.to_numpy(dtype=object).tolist())
    return hashlib.sha256(pickle.dumps(content, protocol=5)).hexdigest()


def clear() -> None:
    """Empty every validation cache."""
    for c in CACHES:
        c.clear()


def stats() -> dict[str, tuple[int, int]]:
    """(hits, misses) per cache since the last :func:`clear`."""
    return {c.name: (c.hits, c.misses) for c in CACHES}

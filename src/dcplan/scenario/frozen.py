"""Read-only containers that keep a :class:`~dcplan.scenario.scenario.Scenario` immutable: its
tables, parameters and overrides cannot change after it is built, so the views it caches on
first use can never go stale.

- :class:`FrozenDict`: a dict that refuses every change (still a dict: ``json.dumps``,
  ``dict(d)``, ``{**d}`` and pickling work);
- :class:`FrozenTables`: table name -> DataFrame, each read a copy (with pandas' copy-on-write a
  shallow copy that copies its data only when written), no table added, replaced or removed;
- :class:`cached_view`: a view computed once from the tables (like ``functools.cached_property``,
  but kept in the scenario's explicit ``_views`` dict, handed out read-only or as a copy, and
  never assignable).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, KeysView, Mapping
from typing import Any, Generic, NoReturn, TypeVar, overload

import pandas as pd

from dcplan.scenario.cache import handout

IMMUTABLE = "a Scenario is immutable; use scenario.with_overrides({...}) for a changed copy"
T = TypeVar("T")


class FrozenDict(dict):
    """A dict that refuses every change."""

    def _readonly(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(IMMUTABLE)

    __setitem__ = __delitem__ = update = pop = popitem = clear = setdefault = __ior__ = _readonly

    def __reduce__(self):
        return (type(self), (dict(self),))

    def __copy__(self) -> FrozenDict:
        return self

    def __deepcopy__(self, memo: dict) -> FrozenDict:
        return self


def frozen(value: Any) -> Any:
    """`value` made read-only: dicts (nested too) as FrozenDicts, lists and sets as tuples and
    frozensets, DataFrames and Series as they are (handed out as copies by cached_view)."""
    if isinstance(value, FrozenDict):
        return value
    if isinstance(value, dict):
        return FrozenDict({k: frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(frozen(v) for v in value)
    if isinstance(value, set):
        return frozenset(value)
    return value


class FrozenTables(Mapping[str, pd.DataFrame]):
    """Table name -> DataFrame, read-only: each read returns a copy, and no table can be added,
    replaced or removed."""

    def __init__(self, tables: Mapping[str, pd.DataFrame]):
        # another FrozenTables' frames are shared (no one can change them); others are copied, so a
        # caller that keeps the frames it passed in and changes them later cannot change these
        self._tables: dict[str, pd.DataFrame] = (
            dict(tables._tables) if isinstance(tables, FrozenTables) else {k: handout(v) for k, v in tables.items()}
        )

    def __getitem__(self, name: str) -> pd.DataFrame:
        return handout(self._tables[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def __contains__(self, name: object) -> bool:
        return name in self._tables

    def keys(self) -> KeysView[str]:
        return self._tables.keys()

    def rows(self, name: str) -> int:
        """Rows of table `name` (0 when the scenario has no such table), without copying it."""
        t = self._tables.get(name)
        return 0 if t is None else len(t)

    def holds(self, name: str, frame: pd.DataFrame) -> bool:
        """True when table `name` is the very frame `frame` (not a copy of it)."""
        return self._tables.get(name) is frame

    def shares(self, name: str, other: FrozenTables) -> bool:
        """True when `other` holds the very same frame for table `name`: neither scenario was
        given a new one (model/tracking.py tells a variant's changed tables this way)."""
        return name in self._tables and other._tables.get(name) is self._tables[name]

    def replacing(self, tables: Mapping[str, pd.DataFrame]) -> FrozenTables:
        """New FrozenTables with `tables` (copied) in place of these, every other frame shared."""
        out = FrozenTables(self)
        out._tables.update({k: handout(v) for k, v in tables.items()})
        return out

    def __setitem__(self, name: str, value: Any) -> NoReturn:
        raise TypeError(IMMUTABLE)

    def __delitem__(self, name: str) -> NoReturn:
        raise TypeError(IMMUTABLE)

    def __repr__(self) -> str:
        return f"FrozenTables({', '.join(f'{k}: {len(v)} rows' for k, v in self._tables.items())})"


class cached_view(Generic[T]):  # noqa: N801 - a decorator, named like functools.cached_property
    """A view of an immutable Scenario, computed once on first use and kept in the instance's
    ``_views`` dict. Dicts and lists are stored read-only (:func:`frozen`); a DataFrame or Series
    is handed out as a copy, so changing what one gets cannot change the cache. Assigning the
    attribute raises AttributeError."""

    def __init__(self, func: Callable[[Any], T]):
        self.func = func
        self.__doc__ = func.__doc__
        self.name = func.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> cached_view[T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        views = instance._views
        try:
            value = views[self.name]
        except KeyError:
            value = views[self.name] = frozen(self.func(instance))
        return handout(value) if isinstance(value, (pd.DataFrame, pd.Series)) else value

    def __set__(self, instance: object, value: Any) -> NoReturn:
        raise AttributeError(f"{self.name} is derived from the scenario's tables and cannot be assigned; {IMMUTABLE}")

"""Read-only containers that keep a `Scenario` immutable: its tables, parameters and overrides
cannot change after it is built, so nothing derived from them can go stale."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NoReturn

import pandas as pd


class FrozenDict(dict):
    """A dict that refuses every change (still a dict: JSON, `dict(...)`, `{**d}` and pickling work)."""

    def _readonly(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("a Scenario is immutable; use scenario.with_overrides({...}) for a changed copy")

    __setitem__ = __delitem__ = update = pop = popitem = clear = setdefault = __ior__ = _readonly  # type: ignore[assignment]

    def __reduce__(self):
        return (type(self), (dict(self),))

    def __copy__(self) -> FrozenDict:
        return self

    def __deepcopy__(self, memo: dict) -> FrozenDict:
        return self


class FrozenTables(Mapping):
    """Table name -> DataFrame, read-only: each read returns a copy (copy-on-write under pandas 3,
    so it costs nothing until the copy is changed), and no table can be added, replaced or removed."""

    def __init__(self, tables: Mapping[str, pd.DataFrame]):
        self._tables = {k: (v._tables if isinstance(v, FrozenTables) else v) for k, v in dict(tables).items()}

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self._tables[name].copy(deep=False)

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def __repr__(self) -> str:
        return f"FrozenTables({', '.join(f'{k}: {len(v)} rows' for k, v in self._tables.items())})"


class cached_view:  # noqa: N801 - a decorator, named like functools.cached_property
    """A view cached on an immutable Scenario (like `functools.cached_property`, but explicit):
    computed once from tables that cannot change and kept in the instance's `_views` dict; a
    DataFrame or Series is handed out as a copy, so a caller that changes what it got cannot
    change the cache; the attribute cannot be assigned."""

    def __init__(self, func):
        self.func = func
        self.__doc__ = func.__doc__
        self.name = func.__name__

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        views = instance.__dict__.setdefault("_views", {})
        if self.name not in views:
            views[self.name] = self.func(instance)
        value = views[self.name]
        return value.copy(deep=False) if isinstance(value, (pd.DataFrame, pd.Series)) else value

    def __set__(self, instance, value) -> NoReturn:
        raise AttributeError(f"{self.name} is derived from the scenario's tables and cannot be assigned")

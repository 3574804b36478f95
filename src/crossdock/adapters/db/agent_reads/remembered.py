"""Agent reads remembered per data version (`service_layer/remembering.py`): the data
version is the newest import run (with its status, so a finishing import counts) and
the newest succeeded plan run. Every canonical table is written by an import run, and
the plan's levels by a plan run; the recommendations the agents write are never
remembered."""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

from sqlalchemy import Engine, func, select

from crossdock.adapters.db.tables import import_runs, plan_runs
from crossdock.service_layer.remembering import Memo

P = ParamSpec("P")
T = TypeVar("T")
Self = TypeVar("Self", bound="RememberedReads")

_NEWEST_IMPORT = (
    select(import_runs.c.id, import_runs.c.status).order_by(import_runs.c.id.desc()).limit(1)
)
_NEWEST_PLAN = select(func.max(plan_runs.c.id)).where(plan_runs.c.status == "succeeded")


class RememberedReads:
    """The version look-up the agents make once per batch (`refresh`)."""

    engine: Engine
    memo: Memo

    def refresh(self) -> None:
        """Look whether an import or a plan landed since; forget the reads if so."""
        with self.engine.connect() as connection:
            newest = connection.execute(_NEWEST_IMPORT).first()
            plan = connection.execute(_NEWEST_PLAN).scalar_one_or_none()
        self.memo.see((None if newest is None else tuple(newest), plan))

    def reference_version(self) -> Hashable | None:
        """The data version the remembered reads hold (None: nothing is remembered)."""
        return self.memo.version if self.memo.active else None


def remembered(
    read: Callable[Concatenate[Self, P], T],
) -> Callable[Concatenate[Self, P], T]:
    """Remember `read` per arguments in the current data version. What it returns is
    shared between calls: frozen dataclasses and tuples as they are, a list as a copy
    each time (nothing else may be returned)."""

    @functools.wraps(read)
    def recall(self: Self, *args: P.args, **kwargs: P.kwargs) -> T:
        key: tuple[Any, ...] = (read.__qualname__, args, tuple(sorted(kwargs.items())))
        value = self.memo.recall(key, lambda: read(self, *args, **kwargs))
        return list(value) if isinstance(value, list) else value  # type: ignore[return-value]

    return cast("Callable[Concatenate[Self, P], T]", recall)

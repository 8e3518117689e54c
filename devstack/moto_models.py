"""moto's record of every model it ever built, kept without keeping the models alive.

moto 5.2 appends each instance of every ``BaseModel`` (a table, an item, each
stream record, each shard iterator) to its class's ``instances_tracked``
list, for its dashboard, and lets go of them only on a reset. A stack that
runs for hours never resets: every item version, stream record and shard
iterator ever made stayed in memory, and so did each deep copy of a table
that TransactWriteItems takes for its rollback, items and stream included.
The offline stack grew by over a gigabyte in ten minutes. Tracked weakly,
the dashboard still lists every live model and the rest can be freed.
"""

import weakref
from collections.abc import Iterator
from contextlib import suppress
from typing import Any

from moto.core.common_models import BaseModel


class WeakInstances:
    """``instances_tracked`` as moto uses it (``append``, iteration), holding no one."""

    def __init__(self, instances: Any = ()) -> None:
        self._alive: weakref.WeakSet[Any] = weakref.WeakSet()
        for instance in instances:
            self.append(instance)

    def append(self, instance: Any) -> None:
        with suppress(TypeError):  # a model without weak references is left untracked
            self._alive.add(instance)

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self._alive))

    def __len__(self) -> int:
        return len(self._alive)


def install() -> None:
    if getattr(BaseModel.__new__, "tracks_weakly", False):  # once per process
        return
    original = BaseModel.__new__

    def tracked_weakly(cls: type, *args: Any, **kwargs: Any) -> Any:
        # Classes appear as moto imports services, and a reset puts lists back.
        tracked = cls.__dict__.get("instances_tracked")
        if not isinstance(tracked, WeakInstances):
            type.__setattr__(cls, "instances_tracked", WeakInstances(tracked or ()))
        return original(cls, *args, **kwargs)

    tracked_weakly.tracks_weakly = True  # type: ignore[attr-defined]
    BaseModel.__new__ = staticmethod(tracked_weakly)  # type: ignore[method-assign]

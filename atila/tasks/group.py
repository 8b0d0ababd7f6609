"""``context.Tasks``: several tasks collected together.

``Tasks([t1, t2])`` (or ``Tasks(t1, t2)``) fetches a list; ``Tasks(a=t1, b=t2)``
fetches a dict, and positional tasks given beside keywords are waited for but
left out of it.  A keyword ending in ``__one`` gives that task's ``one()``
under the name without the suffix (``record_count__one`` -> ``record_count``).
"""

from __future__ import annotations

import concurrent.futures as cf
import threading
from typing import Any

from .base import Task

__all__ = ["Tasks", "ONE_SUFFIX"]

ONE_SUFFIX = "__one"


class Tasks(Task):
    kind = "Tasks"

    def __init__(
        self,
        *tasks: Any,
        meta: dict[str, Any] | None = None,
        timeout: float | None = None,
        context: Any = None,
        **named: Any,
    ) -> None:
        if len(tasks) == 1 and isinstance(tasks[0], (list, tuple)):
            tasks = tuple(tasks[0])
        for key, task in [*enumerate(tasks), *named.items()]:
            if not isinstance(task, Task):
                raise TypeError(
                    f"context.Tasks takes tasks (context.Thread, db ... .execute(), context.Mask), "
                    f"got {task!r} at {key!r}"
                )
        self.tasks: list[Task] = list(tasks)
        self.named: dict[str, Task] = dict(named)
        members = [*self.tasks, *self.named.values()]
        if timeout is None:
            timeout = max((task.timeout for task in members), default=None)
        super().__init__(_all_done(members), label="Tasks", meta=meta, timeout=timeout, context=context)

    def _fetch_each(self, method: str, timeout: float | None) -> Any:
        self._raw(timeout)
        if self.named:
            for task in self.tasks:
                task.commit()
            return {
                _key(name): (task.one() if name.endswith(ONE_SUFFIX) else getattr(task, method)())
                for name, task in self.named.items()
            }
        return [getattr(task, method)() for task in self.tasks]

    def fetch(self, timeout: float | None = None) -> Any:
        return self._fetch_each("fetch", timeout)

    def one(self, timeout: float | None = None) -> Any:
        return self._fetch_each("one", timeout)

    def commit(self, timeout: float | None = None) -> None:
        self._raw(timeout)
        for task in [*self.tasks, *self.named.values()]:
            task.commit()

    def dispatch(self, timeout: float | None = None) -> Any:
        self._block(timeout)
        if self.named:
            return {_key(name): task.dispatch(0) for name, task in self.named.items()}
        return [task.dispatch(0) for task in self.tasks]

    def __len__(self) -> int:
        return len(self.tasks) + len(self.named)

    def __iter__(self) -> Any:
        return iter([*self.tasks, *self.named.values()])


def _key(name: str) -> str:
    return name[: -len(ONE_SUFFIX)] if name.endswith(ONE_SUFFIX) else name


def _all_done(tasks: list[Task]) -> cf.Future[Any]:
    """A future finished when every task's future is (never failing itself:
    each task raises its own error when fetched)."""
    future: cf.Future[Any] = cf.Future()
    if not tasks:
        future.set_result(None)
        return future
    left = [len(tasks)]
    lock = threading.Lock()

    def one_done(_done: Any) -> None:
        with lock:
            left[0] -= 1
            finished = left[0] == 0
        if finished:
            future.set_result(None)

    for task in tasks:
        task.future.add_done_callback(one_done)
    return future

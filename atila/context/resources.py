"""The context's task and resource methods: ``context.Thread``, ``Process``,
``Subprocess``, ``Mask``, ``Tasks``, ``Map``, ``Mapped``, ``render_or_Map``,
``render_or_Mapped``, ``ThreadPass``, ``db``, ``stub``, ``xmlrpc``,
``jsonrpc``, ``setlu`` and ``getlu``.  See docs/tasks.md and docs/databases.md.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from skitai import state

from ..db.database import Database
from ..tasks.base import Task
from ..tasks.deferred import Deferred
from ..tasks.group import Tasks as TaskGroup
from ..tasks.rpc import RPCStub, jsonrpc_stub, xmlrpc_stub
from ..tasks.stub import StubFactory
from ..tasks.work import mask, process_task, subprocess_task, thread_task

__all__ = ["ResourcesMixin", "mark_updated"]

# NOTE: the host-wide last-update table must exist before the workers fork so
# that they share it; atila is imported by the master while it loads the apps.
state.current_last_updates()


def mark_updated(context: Any, name: str, *args: Any, **kwargs: Any) -> float:
    """``setlu`` from any thread: the shared time moves now, the ``setlu:name``
    event runs on the app's loop (in this worker)."""
    stamp = state.setlu(name)
    app = getattr(context, "app", None)
    if app is None:
        return stamp
    loop = getattr(app, "loop", None)
    from ..tasks.runner import on_loop

    if loop is None or on_loop() is loop or loop.is_closed():
        context.emit(f"setlu:{name}", *args, **kwargs)
    else:
        loop.call_soon_threadsafe(lambda: context.emit(f"setlu:{name}", *args, **kwargs))
    return stamp


def _args(args: tuple[Any, ...], keyword: Sequence[Any] | None) -> tuple[Any, ...]:
    if keyword is None:
        return args
    if args:
        raise TypeError("give the arguments either positionally or as args=(...), not both")
    if not isinstance(keyword, (tuple, list)):
        raise TypeError(f"args must be a tuple or list, got {type(keyword).__name__}")
    return tuple(keyword)


class ResourcesMixin:
    __slots__ = ()

    # -- tasks --------------------------------------------------------------------
    def Thread(self, func: Callable[..., Any], *args: Any, **options: Any) -> Task:
        """Run ``func(*args, **kwargs)`` in the worker's task threads."""
        positional = _args(args, options.pop("args", None))
        return thread_task(func, positional, options.pop("kwargs", None), context=self, **options)

    def Process(self, func: Callable[..., Any], *args: Any, **options: Any) -> Task:
        """Run ``func`` in the worker's process pool (picklable, importable functions)."""
        positional = _args(args, options.pop("args", None))
        return process_task(func, positional, options.pop("kwargs", None), context=self, **options)

    def Subprocess(self, command: str | Sequence[str], **options: Any) -> Task:
        """Run a command; the result is its standard output."""
        return subprocess_task(command, context=self, **options)

    def Mask(self, value: Any, **options: Any) -> Task:
        return mask(value, context=self, **options)

    def Tasks(self, *tasks: Any, **named: Any) -> TaskGroup:
        return TaskGroup(*tasks, context=self, **named)

    # -- answers that wait for tasks -----------------------------------------------------
    def _group(self, tasks: tuple[Any, ...], named: dict[str, Any]) -> TaskGroup:
        if len(tasks) == 1 and not named and isinstance(tasks[0], TaskGroup):
            return tasks[0]
        return TaskGroup(*tasks, context=self, **named)

    def Map(self, *tasks: Any, **named: Any) -> Deferred:
        """A JSON answer of the keyword tasks' results, once all are done."""
        group = self._group(tasks, named)
        return Deferred(self, group, lambda: self.API(**_as_dict(group.fetch())))  # type: ignore[attr-defined]

    def Mapped(self, tasks: TaskGroup) -> Deferred:
        if not isinstance(tasks, TaskGroup):
            raise TypeError(f"Mapped() takes context.Tasks(...), got {tasks!r}")
        return self.Map(tasks)

    def render_or_Map(self, template: str, *tasks: Any, **named: Any) -> Deferred:
        """HTML from ``template`` for browsers, JSON for API clients (by Accept)."""
        group = self._group(tasks, named)
        return Deferred(self, group, lambda: self.render_or_API(template, **_as_dict(group.fetch())))  # type: ignore[attr-defined]

    def render_or_Mapped(self, template: str, tasks: TaskGroup) -> Deferred:
        if not isinstance(tasks, TaskGroup):
            raise TypeError(f"render_or_Mapped() takes context.Tasks(...), got {tasks!r}")
        return self.render_or_Map(template, tasks)

    def ThreadPass(self, func: Callable[..., Any], *args: Any, **options: Any) -> Deferred:
        """Answer with ``func(context, *args)`` run in a task thread; the
        handler's thread returns to the pool at once."""
        positional = _args(args, options.pop("args", None))
        task = thread_task(func, (self, *positional), options.pop("kwargs", None), context=self, **options)
        return Deferred(self, task, task.fetch)

    # -- resources ----------------------------------------------------------------------------
    def db(self, name: str, **options: Any) -> Database:
        """The ``@name`` alias for this request (``filter``, ``timeout``,
        ``use_cache``, ``rm_cache``, ``meta`` options)."""
        return Database(self, name, **options)

    @property
    def stub(self) -> StubFactory:
        """``context.stub("@api/v1")``, ``context.stub.lb(...)``, ``context.stub.map(...)``."""
        return StubFactory(self)

    def xmlrpc(self, target: str, timeout: float | None = None) -> RPCStub:
        return xmlrpc_stub(self, target, timeout)

    def jsonrpc(self, target: str, timeout: float | None = None) -> RPCStub:
        return jsonrpc_stub(self, target, timeout)

    # -- last updates -----------------------------------------------------------------------------
    def setlu(self, name: str, *args: Any, **kwargs: Any) -> float:
        """Mark ``name`` changed for every worker (cached results using it are
        dropped) and emit ``setlu:name`` in this worker."""
        return mark_updated(self, name, *args, **kwargs)

    def getlu(self, *names: str) -> float:
        """When any of ``names`` last changed (seconds since the epoch, 0.0 if never)."""
        return state.getlu(*names)


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}

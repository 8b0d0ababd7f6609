"""Tasks around plain work: ``context.Thread``, ``context.Process``,
``context.Subprocess`` and ``context.Mask``."""

from __future__ import annotations

import concurrent.futures as cf
import pickle
import subprocess
from typing import Any, Callable, Sequence

from skitai.resources.errors import TaskTimeout

from .base import Task
from .runner import current_runner

__all__ = ["thread_task", "process_task", "subprocess_task", "mask", "SubprocessFailed"]


class SubprocessFailed(RuntimeError):
    """The command exited with a non-zero status (its stderr is in the message)."""

    def __init__(self, command: Any, returncode: int, stderr: str) -> None:
        self.command = command
        self.returncode = returncode
        self.stderr = stderr
        super().__init__(f"{command!r} exited with status {returncode}: {stderr.strip()[:500]}")


def _name(func: Any) -> str:
    return getattr(func, "__qualname__", None) or type(func).__name__


def _positional(args: tuple[Any, ...], keyword_args: Sequence[Any] | None) -> tuple[Any, ...]:
    """Both documented spellings: ``Thread(f, a, b)`` and ``Thread(f, args=(a, b))``."""
    if keyword_args is not None:
        if args:
            raise TypeError("give the arguments either positionally or as args=(...), not both")
        if not isinstance(keyword_args, (tuple, list)):
            raise TypeError(f"args must be a tuple or list, got {type(keyword_args).__name__}")
        return tuple(keyword_args)
    return args


def thread_task(
    func: Callable[..., Any], args: tuple[Any, ...] = (), kwargs: dict[str, Any] | None = None, **options: Any
) -> Task:
    if not callable(func):
        raise TypeError(f"context.Thread needs a callable, got {func!r}")
    future = current_runner().submit(func, *args, **(kwargs or {}))
    return Task(future, label=f"Thread({_name(func)})", **options)


def process_task(
    func: Callable[..., Any], args: tuple[Any, ...] = (), kwargs: dict[str, Any] | None = None, **options: Any
) -> Task:
    """Run ``func`` in the worker's process pool: it and its arguments travel by
    pickle, so it must be a module-level function."""
    name = _name(func)
    if "<locals>" in name or "<lambda>" in name:
        raise TypeError(
            f"context.Process({name}) cannot run a lambda or a function defined in another "
            "function: the process pool finds functions by name, so define it at the top level "
            "of a module (or use context.Thread)"
        )
    try:
        pickle.dumps((func, args, kwargs or {}))
    except Exception as exc:
        raise TypeError(
            f"context.Process({name}): the function and its arguments must be picklable "
            f"to reach another process ({exc}); use context.Thread for this work"
        ) from exc
    future = current_runner().submit_process(func, *args, **(kwargs or {}))
    return Task(future, label=f"Process({name})", **options)


def _run_command(command: str | Sequence[str], timeout: float) -> str:
    try:
        done = subprocess.run(command, shell=isinstance(command, str), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise TaskTimeout(f"Subprocess({command!r})", timeout) from None
    if done.returncode != 0:
        raise SubprocessFailed(command, done.returncode, done.stderr)
    return done.stdout


def subprocess_task(command: str | Sequence[str], **options: Any) -> Task:
    """Run a shell command (a str) or an argument list; the result is its stdout."""
    if not isinstance(command, (str, list, tuple)) or not command:
        raise TypeError(f"context.Subprocess needs a command string or argument list, got {command!r}")
    task = Task(cf.Future(), label=f"Subprocess({command!r})", **options)
    task.future = current_runner().submit(_run_command, command, task.timeout)
    return task


def mask(value: Any, **options: Any) -> Task:
    """A task already done with ``value`` (the same methods when there is no work)."""
    future: cf.Future[Any] = cf.Future()
    future.set_result(value)
    return Task(future, label="Mask", **options)

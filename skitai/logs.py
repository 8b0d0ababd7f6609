"""Access and error logs, formatted only when a line is written.

Access lines sit on the hot path (tens of thousands per second in a benchmark),
so ``access`` does the least it can: skip ``log_off`` prefixes, format one line
and append it to a queue.  A small flusher thread writes the queue every second
(or as soon as ``FLUSH_LINES`` wait), so the event loop never waits on a disk;
``close`` writes what is left, so no line is lost at shutdown.
Errors and info lines are written at once: they are rare and someone is waiting
to read them.

Formats: the Apache "combined" format plus the request duration in seconds::

    127.0.0.1 - - [22/Nov/2026:01:02:03 +0000] "GET /x HTTP/1.1" 200 12 "ref" "agent" 0.0003 9f2c...

(the last field is the request id, see :mod:`skitai.observability.request_id`)
or, with ``Config.access_log_json``, one JSON object per line.  Error lines
written while a request is answered carry its id as ``[req <id>]``.

Python ``logging`` records end up in the error log too, with time, level,
process and request id (``was.log`` / ``context.log`` lines of an app, the
warnings Atila prints at start-up)::

    [22/Nov/2026:01:02:03 +0000] [info] [pid 4242] [req 1092-7] atila.app.myapp: called index

The process's logs (the ones made without an explicit ``stream``) install one
handler on the root logger, unless the app configured ``logging`` itself; the
``atila`` and ``skitai`` loggers and the apps' loggers under them pass ``info``
(``debug`` with ``--devel``), every other logger ``warning``.  With ``--devel``
and a log directory the lines are printed to the console as well.
"""

from __future__ import annotations

import collections
import itertools
import json
import logging
import os
import re
import sys
import threading
import time
import traceback
from typing import IO, Any

from .config import Config
from .contract import Request
from .observability.request_id import current_request_id

__all__ = ["Logs", "FLUSH_LINES", "FLUSH_SECONDS", "request_id", "OWN_LOGGERS"]

FLUSH_SECONDS = 1.0
FLUSH_LINES = 2048

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# NOTE: quotes, backslashes and control characters in client-supplied fields are
# escaped so a crafted User-Agent cannot forge log lines.
_ESCAPES = {code: f"\\x{code:02x}" for code in range(32)}
_ESCAPES.update({0x7F: "\\x7f", ord('"'): '\\"', ord("\\"): "\\\\"})


#: loggers whose ``info`` lines (``debug`` in debug mode) reach the error log
OWN_LOGGERS = ("atila", "skitai")
#: an ``X-Request-ID`` the client sent is kept when it looks like an id
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_request_numbers = itertools.count(1)
_now = time.time


def request_id(request: Request) -> str:
    """This request's id in log lines: the client's ``X-Request-ID`` when it is
    a plain token, else ``<pid hex>-<number>`` (unique in the process)."""
    state = request.state
    found = state.get("request_id")
    if found is None:
        given = request.headers.get("x-request-id")
        found = given if given and _REQUEST_ID.fullmatch(given) else f"{os.getpid():x}-{next(_request_numbers)}"
        state["request_id"] = found
    return str(found)


#: the combined line; _combined_line fills it
_COMBINED = '%s - - [%s] "%s %s HTTP/%s" %d %s "%s" "%s" %.4f %s\n'
#: escaped (target, referer, agent) remembered per Logs, at most this many
_FIELDS_MAX = 2048


def _clean(value: str) -> str:
    if value.isprintable() and '"' not in value and "\\" not in value:
        return value
    return value.translate(_ESCAPES)


class Logs:
    """One per process.  ``log_dir`` given: ``access.log`` and ``error.log`` there;
    otherwise both go to ``stream`` (stderr in the foreground)."""

    def __init__(self, config: Config, log_dir: str | None = None, stream: IO[str] | None = None) -> None:
        self._console: IO[str] | None = None
        self.config = config
        self.enabled = config.access_log
        self.json = config.access_log_json
        self.log_dir = log_dir
        self._off: tuple[str, ...] = ()
        self._pending: collections.deque[str] = collections.deque()
        self._flusher: threading.Thread | None = None
        self._stop = threading.Event()
        #: set when FLUSH_LINES lines wait, or at close: the flusher writes now
        self._wake = threading.Event()
        self._write_lock = threading.Lock()
        self._stamp_second = -1
        self._stamp = ""
        self._fields: dict[tuple[bytes, str, str | None, str | None], tuple[str, str, str]] = {}
        if log_dir:
            os.makedirs(log_dir, exist_ok=True)
            self._access_out: IO[str] = open(
                os.path.join(log_dir, "access.log"), "a", encoding="utf-8", buffering=1 << 16
            )
            self._error_out: IO[str] = open(os.path.join(log_dir, "error.log"), "a", encoding="utf-8", buffering=1)
            self._owns_files = True
        else:
            out = stream if stream is not None else sys.stderr
            self._access_out = self._error_out = out
            self._owns_files = False
        if log_dir and (config.debug or config.reload):
            self._console = sys.stderr
        if stream is None:
            _BRIDGE.capture(self)

    # -- access log ---------------------------------------------------------

    def log_off(self, prefix: str) -> None:
        """Stop access-logging requests whose path is ``prefix`` or under it."""
        prefix = prefix.rstrip("/") or "/"
        if prefix not in self._off:
            self._off = (*self._off, prefix)

    def is_logged(self, path: str) -> bool:
        for prefix in self._off:
            if prefix == "/" or path == prefix or path.startswith(prefix + "/"):
                return False
        return True

    def access(self, request: Request, status: int, size: int, seconds: float) -> None:
        if not self.enabled:
            return
        if self._off and not self.is_logged(request.path):
            return
        if self.json:
            line = self._json_line(request, status, size, seconds)
        else:
            line = self._combined_line(request, status, size, seconds)
        self._pending.append(line)
        if self._flusher is None:
            self._start_flusher()
        if len(self._pending) >= FLUSH_LINES:
            # PERF: the flusher thread writes (the loop would wait on the disk)
            self._wake.set()

    def _combined_line(self, request: Request, status: int, size: int, seconds: float) -> str:
        # PERF: one pass over the fields for both values (Headers.get scans once each)
        referer = agent = None
        for name, value in request.headers.raw:
            if name == "user-agent":
                if agent is None:
                    agent = value
            elif name == "referer":
                if referer is None:
                    referer = value
        # PERF: the escaped target, referer and agent of a request are remembered
        # (clients repeat them): decoding and escaping cost more than the line.
        key = (request.raw_path, request.query, referer, agent)
        fields = self._fields.get(key)
        if fields is None:
            target = request.raw_path.decode("latin-1")
            if request.query:
                target = f"{target}?{request.query}"
            fields = (_clean(target), _clean(referer or "-"), _clean(agent or "-"))
            if len(self._fields) >= _FIELDS_MAX:
                self._fields.clear()
            self._fields[key] = fields
        client = request.client[0] if request.client else "-"
        # PERF: one %-format (C) instead of an f-string of ten pieces; with the
        # cache above, timeit A/B on the busy machine: 3.9 -> 3.1 us a line
        return _COMBINED % (
            client,
            self._timestamp(),
            request.method,
            fields[0],
            request.version,
            status,
            size or "-",
            fields[1],
            fields[2],
            seconds,
            request.state.get("request_id") or "-",
        )

    def _json_line(self, request: Request, status: int, size: int, seconds: float) -> str:
        record = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "client": request.client[0] if request.client else None,
            "method": request.method,
            "path": request.path,
            "query": request.query,
            "version": request.version,
            "status": status,
            "size": size,
            "referer": request.headers.get("referer"),
            "agent": request.headers.get("user-agent"),
            "seconds": round(seconds, 6),
            "request_id": request.state.get("request_id"),
        }
        # NOTE: surrogate-escaped path bytes are kept readable rather than dropped
        return json.dumps(record, ensure_ascii=True, default=str) + "\n"

    def _timestamp(self) -> str:
        # PERF: formatted once per second, not once per request
        now = int(_now())
        if now != self._stamp_second:
            t = time.gmtime(now)
            self._stamp = (
                f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:"
                f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"
            )
            self._stamp_second = now
        return self._stamp

    # -- error and info -----------------------------------------------------

    def error(self, message: str, exc_info: Any = None) -> None:
        """Write ``message`` and, when given, the traceback of ``exc_info``
        (an exception, a ``sys.exc_info()`` tuple or True for the current one)."""
        rid = current_request_id.get()
        where = f" [req {rid}]" if rid else ""
        text = f"[{self._timestamp()}] [error] [pid {os.getpid()}]{where} {message}\n"
        trace = _format_traceback(exc_info)
        if trace:
            text += trace
        self._write_now(text)

    def info(self, message: str) -> None:
        self._write_now(f"[{self._timestamp()}] [info] {message}\n")

    def record(self, record: logging.LogRecord) -> None:
        """One Python ``logging`` record as an error-log line (see module doc)."""
        rid = getattr(record, "request_id", None) or current_request_id.get()
        where = f" [req {rid}]" if rid else ""
        text = (
            f"[{self._timestamp()}] [{record.levelname.lower()}] [pid {record.process or os.getpid()}]{where} "
            f"{record.name}: {record.getMessage()}\n"
        )
        trace = _format_traceback(record.exc_info) if record.exc_info else ""
        if trace:
            text += trace
        self._write_now(text)
        if self._console is not None:
            try:
                self._console.write(text)
                self._console.flush()
            except (OSError, ValueError):
                pass  # see _write_now

    def _write_now(self, text: str) -> None:
        # access lines queued before this message come first, so the order stays true
        self.flush()
        with self._write_lock:
            try:
                self._error_out.write(text)
                self._error_out.flush()
            except (OSError, ValueError):
                pass  # a closed or broken log stream must never take a request down

    # -- flushing -----------------------------------------------------------

    def flush(self) -> None:
        """Write queued access lines now."""
        pending = self._pending
        if not pending:
            return
        # NOTE: taken and written under one lock, so two flushes (the flusher
        # thread and an error line on the loop) never write batches out of order
        with self._write_lock:
            lines = []
            try:
                for _ in range(len(pending)):
                    lines.append(pending.popleft())
            except IndexError:
                pass
            try:
                self._access_out.write("".join(lines))
                self._access_out.flush()
            except (OSError, ValueError):
                pass  # see _write_now

    def _start_flusher(self) -> None:
        self._flusher = threading.Thread(target=self._flush_forever, name="skitai-log-flusher", daemon=True)
        self._flusher.start()

    def _flush_forever(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(FLUSH_SECONDS)
            self._wake.clear()
            self.flush()

    def close(self) -> None:
        """Flush and stop; the files (when owned) are closed."""
        self._stop.set()
        self._wake.set()
        self.flush()
        _BRIDGE.detach(self)
        if self._owns_files:
            self._access_out.close()
            self._error_out.close()


def _format_traceback(exc_info: Any) -> str:
    if not exc_info:
        return ""
    if exc_info is True:
        exc_info = sys.exc_info()
    if isinstance(exc_info, BaseException):
        return "".join(traceback.format_exception(type(exc_info), exc_info, exc_info.__traceback__))
    if isinstance(exc_info, tuple) and exc_info[0] is not None:
        return "".join(traceback.format_exception(*exc_info))
    return ""


class _PythonLogging(logging.Handler):
    """The root logger's handler writing records to the process's :class:`Logs`.

    One per process; the latest process ``Logs`` (a forked worker makes its own)
    receives the records.
    """

    def __init__(self) -> None:
        super().__init__()
        self.target: Logs | None = None

    def capture(self, logs: Logs) -> None:
        root = logging.getLogger()
        if self not in root.handlers:
            if root.handlers:
                return  # the app configured logging itself: leave it alone
            root.addHandler(self)
        self.target = logs
        level = logging.DEBUG if logs.config.debug else logging.INFO
        for name in OWN_LOGGERS:
            logger = logging.getLogger(name)
            if logger.level == logging.NOTSET or logger.level > level:
                logger.setLevel(level)

    def detach(self, logs: Logs) -> None:
        if self.target is logs:
            self.target = None

    def emit(self, record: logging.LogRecord) -> None:
        target = self.target
        if target is None:
            # NOTE: between two process logs (or after the last one closed) warnings
            # still print, as they would with no handler at all
            if logging.lastResort is not None:
                logging.lastResort.handle(record)
            return
        try:
            target.record(record)
        except Exception:
            self.handleError(record)


_BRIDGE = _PythonLogging()

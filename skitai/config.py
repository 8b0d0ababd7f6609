"""Engine settings, built once by the launcher and passed down (never global).

Defaults are chosen to be safe on the open internet and generous for APIs; each
one is a knob in ``skitai.run(...)`` and on the command line where it matters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Limits", "Config", "MiB"]

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    #: longest request line (method, target, version); longer -> 414
    max_request_line: int = 8192
    #: whole header block in bytes; larger -> 431
    max_header_size: int = 64 * 1024
    #: header field count; more -> 431
    max_headers: int = 100
    #: request body default (a mount may set its own); larger -> 413
    max_body_size: int = 10 * MiB
    #: chunk extension length per chunk; longer -> 400 (CVE-2024-... style floods)
    max_chunk_extension: int = 1024
    #: a request's head must be complete this many seconds after its first byte
    header_timeout: float = 10.0
    #: idle keep-alive connections (and new connections that send nothing) close after this
    keepalive_timeout: float = 5.0
    #: a body must keep arriving at min_body_rate bytes/s once this grace has passed
    body_grace: float = 5.0
    min_body_rate: int = 240
    #: no progress writing to a client for this long -> the connection is dropped
    send_timeout: float = 30.0
    #: open connections per worker; past it the worker stops accepting (back-pressure)
    max_connections: int = 2048
    #: pipelined requests buffered ahead of the one being answered
    max_pipeline: int = 32
    #: seconds SIGTERM waits for in-flight requests
    graceful_timeout: float = 30.0
    # -- HTTP/2 only (the limits above apply to HTTP/2 too: header size, body
    # size, timeouts); see docs/http2.md
    #: streams a client may have open at once on one connection (SETTINGS_MAX_CONCURRENT_STREAMS)
    h2_max_concurrent_streams: int = 100
    #: streams a client may cancel (RST_STREAM) per second, bursts up to this many
    #: (rapid reset, CVE-2023-44487); more -> GOAWAY ENHANCE_YOUR_CALM
    h2_max_resets_per_second: int = 200
    #: PING, SETTINGS, PRIORITY, empty DATA and tiny WINDOW_UPDATE frames a client may
    #: send per second, bursts up to this many; more -> GOAWAY ENHANCE_YOUR_CALM
    h2_max_control_frames_per_second: int = 1000
    #: resources pushed for one response (from its ``Link: <...>; rel=preload`` fields)
    h2_max_pushes: int = 16
    # -- WebSocket (skitai/websocket/) ----------------------------------------
    #: largest incoming message, fragments and permessage-deflate output counted; larger -> close 1009
    ws_max_message_size: int = 1 * MiB
    #: a keep-alive ping goes out after this many seconds without hearing from the client (0: never)
    ws_ping_interval: float = 20.0
    #: nothing heard this long after a keep-alive ping -> the peer is dead, close 1011 and drop
    ws_ping_timeout: float = 20.0
    #: after a close frame the client has this long to close the TCP connection
    ws_close_timeout: float = 5.0
    #: unsent output a client may leave unread before it is cut off (close 1008)
    ws_max_send_buffer: int = 4 * MiB
    #: messages waiting for a busy handler before the connection stops reading
    ws_max_queue: int = 32
    #: offer permessage-deflate (RFC 7692) to clients that ask for it
    ws_compression: bool = True


@dataclass(frozen=True)
class Config:
    address: str = "127.0.0.1"
    port: int = 5000
    workers: int = 1
    threads: int = 4
    name: str = "skitai"
    debug: bool = False
    reload: bool = False
    limits: Limits = field(default_factory=Limits)
    access_log: bool = True
    access_log_json: bool = False
    server_header: str = "skitai"
    #: devices handed to workers round-robin as CUDA_VISIBLE_DEVICES
    gpus: tuple[str, ...] = ()
    backlog: int = 2048
    # -- observability (skitai/observability, docs/observability.md) --
    #: X-Request-ID on every answer and in every log line
    request_id: bool = True
    #: Prometheus metrics on the same port (needs prometheus_client)
    metrics: bool = False
    metrics_path: str = "/metrics"
    #: peers (addresses or networks) whose X-Forwarded-For/Proto and Forwarded are believed
    trusted_proxies: tuple[str, ...] = ()
    #: where cross-worker state lives: "" (per host), "process", "host" or a redis:// URL
    #: (docs/scaling.md); empty falls back to SKITAI_CLUSTER_URL
    cluster: str = ""
    #: TLS (``skitai.enable_ssl(certfile, keyfile, passphrase)`` or these settings):
    #: with a certificate the port speaks TLS only, ALPN offering h2 and http/1.1
    certfile: str | None = None
    keyfile: str | None = None
    passphrase: str | None = None

"""Start one benchmarked server in the foreground (the driver runs this as a subprocess).

    python benchmarks/apps/serve.py skitai raw_asgi --port 8001
    python benchmarks/apps/serve.py uvicorn starlette --port 8002 --handlers sync
    python benchmarks/apps/serve.py skitai static --port 8003 --static-dir /tmp/x
    python benchmarks/apps/serve.py granian starlette --port 8004
    python benchmarks/apps/serve.py granian rsgi --port 8005

Every server gets one worker, no access log (``--access-log`` turns Skitai's on,
written to stderr), 127.0.0.1; uvicorn runs with httptools and uvloop, granian
with uvloop (``--interface asgi`` for Starlette, ``rsgi`` for the bare RSGI app).
Which apps each server can run is the table below.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Callable

__all__ = ["main", "APPS"]


def _raw_asgi(args: argparse.Namespace) -> Any:
    from raw_asgi import app

    return app


def _native(args: argparse.Namespace) -> Any:
    from native import app

    return app


def _starlette(args: argparse.Namespace) -> Any:
    from starlette_app import create_app

    return create_app(args.handlers, static_dir=args.static_dir)


def _fastapi(args: argparse.Namespace) -> Any:
    from fastapi_app import create_app

    return create_app(args.handlers)


def _atila(args: argparse.Namespace) -> Any:
    from atila_app import create_app

    return create_app(args.handlers)


#: app name -> (builder, servers that can run it)
APPS: dict[str, tuple[Callable[[argparse.Namespace], Any], tuple[str, ...]]] = {
    "raw_asgi": (_raw_asgi, ("skitai", "uvicorn")),
    "native": (_native, ("skitai",)),
    "starlette": (_starlette, ("uvicorn", "granian")),
    "fastapi": (_fastapi, ("uvicorn",)),
    "atila": (_atila, ("skitai",)),
    "static": (lambda args: None, ("skitai",)),
    # built by granian's worker from an import target (apps/granian_targets.py)
    "rsgi": (lambda args: None, ("granian",)),
}


def _serve_skitai(app: Any, args: argparse.Namespace) -> None:
    import skitai

    if args.app == "static":
        if not args.static_dir:
            raise SystemExit("serve.py: the static app needs --static-dir")
        skitai.mount("/static", args.static_dir)
    else:
        skitai.mount("/", app)
    # NOTE: skitai.run reads the command line; ours is not its business.
    sys.argv = sys.argv[:1]
    extra = {"threads": args.threads} if args.threads else {}
    skitai.run(
        port=args.port,
        address="127.0.0.1",
        workers=1,
        access_log=args.access_log,
        name=f"bench-{args.app}-{args.port}",
        **extra,
    )


def _serve_uvicorn(app: Any, args: argparse.Namespace) -> None:
    import uvicorn

    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        workers=1,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
        lifespan="on",
    )


def _serve_granian(args: argparse.Namespace) -> None:
    """Replace this process with granian (so stopping it stops granian and its worker)."""
    here = os.path.dirname(os.path.abspath(__file__))
    if args.app == "rsgi":
        interface, target = "rsgi", "granian_targets:rsgi"
    else:
        interface, target = "asgi", f"granian_targets:starlette_{args.handlers}"
    if args.static_dir:
        raise SystemExit("serve.py: granian serves no static folder here")
    # NOTE: the worker process imports the target: it needs apps/ on its path
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")]))
    argv = [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        interface,
        "--workers",
        "1",
        "--loop",
        "uvloop",
        "--no-access-log",
        "--log-level",
        "warning",
        "--host",
        "127.0.0.1",
        "--port",
        str(args.port),
        "--working-dir",
        here,
        target,
    ]
    os.execv(sys.executable, argv)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("server", choices=("skitai", "uvicorn", "granian"))
    parser.add_argument("app", choices=sorted(APPS))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--handlers", choices=("async", "sync"), default="async")
    parser.add_argument("--static-dir", help="folder served at /static (static app, Starlette)")
    parser.add_argument("--access-log", action="store_true", help="Skitai: access log on (to stderr)")
    parser.add_argument("--threads", type=int, help="Skitai: threads per worker (default: Skitai's)")
    args = parser.parse_args(argv)
    build, servers = APPS[args.app]
    if args.server not in servers:
        parser.error(f"{args.app} runs on {', '.join(servers)}, not {args.server}")
    if args.server == "granian":
        _serve_granian(args)
        return
    app = build(args)
    if args.server == "skitai":
        _serve_skitai(app, args)
    else:
        _serve_uvicorn(app, args)


if __name__ == "__main__":
    main()

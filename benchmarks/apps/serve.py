"""Start one benchmarked server in the foreground (the driver runs this as a subprocess).

    python benchmarks/apps/serve.py skitai raw_asgi --port 8001
    python benchmarks/apps/serve.py uvicorn starlette --port 8002 --handlers sync
    python benchmarks/apps/serve.py skitai static --port 8003 --static-dir /tmp/x

Every server gets one worker, no access log, 127.0.0.1; uvicorn runs with
httptools and uvloop.  Which apps each server can run is the table below.
"""

from __future__ import annotations

import argparse
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
    "starlette": (_starlette, ("uvicorn",)),
    "fastapi": (_fastapi, ("uvicorn",)),
    "atila": (_atila, ("skitai",)),
    "static": (lambda args: None, ("skitai",)),
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
    skitai.run(port=args.port, address="127.0.0.1", workers=1, access_log=False,
               name=f"bench-{args.app}-{args.port}")


def _serve_uvicorn(app: Any, args: argparse.Namespace) -> None:
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=args.port, workers=1, loop="uvloop", http="httptools",
                access_log=False, log_level="warning", lifespan="on")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("server", choices=("skitai", "uvicorn"))
    parser.add_argument("app", choices=sorted(APPS))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--handlers", choices=("async", "sync"), default="async")
    parser.add_argument("--static-dir", help="folder served at /static (static app, Starlette)")
    args = parser.parse_args(argv)
    build, servers = APPS[args.app]
    if args.server not in servers:
        parser.error(f"{args.app} runs on {', '.join(servers)}, not {args.server}")
    app = build(args)
    if args.server == "skitai":
        _serve_skitai(app, args)
    else:
        _serve_uvicorn(app, args)


if __name__ == "__main__":
    main()

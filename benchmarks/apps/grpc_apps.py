"""The servers of ``benchmarks/grpc_bench.py``: the same service three ways.

    python benchmarks/apps/grpc_apps.py {skitai,aio,threaded} --port 8000 --stubs DIR

``DIR`` holds ``grpc_bench_pb2.py`` / ``grpc_bench_pb2_grpc.py`` (the bench
generates them).  ``skitai`` is an Atila app mounted at ``/bench.Bench``;
``aio`` is ``grpc.aio.server``; ``threaded`` is ``grpc.server`` with a
thread pool.  The two grpcio servers run the same servicer functions.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from concurrent import futures
from typing import Any


def _load(stubs: str) -> tuple[Any, Any]:
    sys.path.insert(0, stubs)
    import grpc_bench_pb2
    import grpc_bench_pb2_grpc

    return grpc_bench_pb2, grpc_bench_pb2_grpc


def run_skitai(port: int, pb2: Any) -> None:
    import skitai
    from atila import Atila

    app = Atila(__name__)

    @app.route("/Unary")
    async def Unary(context: Any, msg: Any) -> Any:
        return msg

    @app.route("/Stream")
    async def Stream(context: Any, count: Any) -> Any:
        for i in range(count.n):
            yield pb2.Msg(id=i, text="streamed")

    skitai.mount("/bench.Bench", app)
    # NOTE: skitai.run reads the command line; ours is not its business.
    sys.argv = sys.argv[:1]
    skitai.run(port=port, address="127.0.0.1", workers=1, access_log=False, name=f"bench-grpc-{port}")


def _servicer(pb2: Any, pb2_grpc: Any, is_async: bool) -> Any:
    if is_async:

        class AsyncBench(pb2_grpc.BenchServicer):  # type: ignore[misc]
            async def Unary(self, request: Any, context: Any) -> Any:
                return request

            async def Stream(self, request: Any, context: Any) -> Any:
                for i in range(request.n):
                    yield pb2.Msg(id=i, text="streamed")

        return AsyncBench()

    class Bench(pb2_grpc.BenchServicer):  # type: ignore[misc]
        def Unary(self, request: Any, context: Any) -> Any:
            return request

        def Stream(self, request: Any, context: Any) -> Any:
            for i in range(request.n):
                yield pb2.Msg(id=i, text="streamed")

    return Bench()


def run_aio(port: int, pb2: Any, pb2_grpc: Any) -> None:
    import grpc

    async def main() -> None:
        server = grpc.aio.server()
        pb2_grpc.add_BenchServicer_to_server(_servicer(pb2, pb2_grpc, True), server)
        server.add_insecure_port(f"127.0.0.1:{port}")
        await server.start()
        await server.wait_for_termination()

    asyncio.run(main())


def run_threaded(port: int, pb2: Any, pb2_grpc: Any) -> None:
    import grpc

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    pb2_grpc.add_BenchServicer_to_server(_servicer(pb2, pb2_grpc, False), server)
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    server.wait_for_termination()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("server", choices=["skitai", "aio", "threaded"])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--stubs", required=True)
    args = parser.parse_args()
    pb2, pb2_grpc = _load(args.stubs)
    if args.server == "skitai":
        run_skitai(args.port, pb2)
    elif args.server == "aio":
        run_aio(args.port, pb2, pb2_grpc)
    else:
        run_threaded(args.port, pb2, pb2_grpc)


if __name__ == "__main__":
    main()

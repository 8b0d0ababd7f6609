"""Starlette + psycopg side of benchmarks/db_bench.py: the same two queries
(``uvicorn benchmarks.apps.db_starlette:app``, ``DB_BENCH_CONNINFO``)."""

import contextlib
import os

import orjson
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool, ConnectionPool
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

CONNINFO = os.environ["DB_BENCH_CONNINFO"]
ONE = "SELECT id, detail, created_at FROM foo WHERE id = %s"
LATEST = "SELECT id, created_at FROM foo WHERE detail = %s ORDER BY created_at DESC LIMIT 10"
pools = {}


class JSONResponse(JSONResponse):
    """orjson, as Atila uses (the stdlib encoder knows no datetime)."""

    def render(self, content):
        return orjson.dumps(content)


def sync(request):
    with pools["sync"].connection() as conn:
        one = conn.execute(ONE, (int(request.path_params["id"]),)).fetchone()
        latest = conn.execute(LATEST, ("ReturnTx",)).fetchall()
    return JSONResponse({"one": one, "latest": latest})


async def asynchronous(request):
    async with pools["async"].connection() as conn:
        one = await (await conn.execute(ONE, (int(request.path_params["id"]),))).fetchone()
        latest = await (await conn.execute(LATEST, ("ReturnTx",))).fetchall()
    return JSONResponse({"one": one, "latest": latest})


@contextlib.asynccontextmanager
async def lifespan(app):
    kwargs = {"autocommit": True, "row_factory": dict_row}
    pools["sync"] = ConnectionPool(CONNINFO, min_size=1, max_size=16, kwargs=kwargs)
    pools["async"] = AsyncConnectionPool(CONNINFO, min_size=1, max_size=16, kwargs=kwargs, open=False)
    await pools["async"].open()
    yield
    pools["sync"].close()
    await pools["async"].close()


app = Starlette(routes=[Route("/sync/{id:int}", sync), Route("/async/{id:int}", asynchronous)], lifespan=lifespan)

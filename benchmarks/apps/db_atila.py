"""Atila side of benchmarks/db_bench.py: two queries per request on @pg
(``DB_BENCH_DSN``), a ``def`` route and an ``async def`` route."""

import os

import skitai
from atila import Atila

app = Atila(__name__)


@app.route("/sync/<int:id>")
def sync(context, id):
    with context.db("@pg") as db:
        one = db.select("foo").get("id, detail, created_at").filter(id=id).execute()
        latest = (
            db.select("foo").get("id, created_at").filter(detail="ReturnTx").order_by("-created_at").limit(10).execute()
        )
        return {"one": one.one(), "latest": latest.fetch()}


@app.route("/async/<int:id>")
async def asynchronous(context, id):
    db = context.db("@pg")
    one = db.select("foo").get("id, detail, created_at").filter(id=id).execute()
    latest = (
        db.select("foo").get("id, created_at").filter(detail="ReturnTx").order_by("-created_at").limit(10).execute()
    )
    await one
    return {"one": one.one(), "latest": await latest}


if __name__ == "__main__":
    skitai.alias("@pg", skitai.DB_PGSQL, os.environ["DB_BENCH_DSN"], pool_size=16)
    skitai.log_off("/")
    skitai.mount("/", app)
    skitai.run(workers=1, threads=16)

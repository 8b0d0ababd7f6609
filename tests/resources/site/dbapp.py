"""Database routes for the resource tests: the same routes on @lite (SQLite) and @pg."""

import os

from atila import Atila
from atila.db import Q

app = Atila(__name__)
ALIASES = {"lite": "@lite", "pg": "@pg"}
events = {"setlu": 0}


def alias(name):
    if name not in ALIASES:
        raise app.HttpError(404, f"no database {name}") if hasattr(app, "HttpError") else KeyError(name)
    return ALIASES[name]


@app.route("/<name>/setup", methods=["POST"])
def setup(context, name):
    serial = "SERIAL PRIMARY KEY" if name == "pg" else "INTEGER PRIMARY KEY AUTOINCREMENT"
    with context.db(alias(name)) as db:
        db.execute("DROP TABLE IF EXISTS items").commit()
        db.execute(
            f"CREATE TABLE items (id {serial}, name TEXT NOT NULL, score INTEGER, note TEXT, created_at INTEGER)"
        ).commit()
    return {"ok": True}


@app.route("/<name>/items", methods=["POST"])
def add(context, name, title, score=None, note=None, created_at=0):
    with context.db(alias(name)) as db:
        row = (
            db.insert("items")
            .set(name=title, score=score, note=note, created_at=created_at)
            .returning("id")
            .execute()
            .one()
        )
    return context.API("201 Created", id=row.id)


@app.route("/<name>/items", methods=["GET"])
def items(
    context,
    name,
    like=None,
    contains=None,
    order="id",
    limit=None,
    offset=None,
    min=None,
    names=None,
    either=None,
    cols="id, name",
):
    with context.db(alias(name)) as db:
        query = db.select("items").get(cols)
        if like is not None:
            query.filter(name__like=like)
        if contains is not None:
            query.filter(name__contains=contains)
        if min is not None:
            query.filter(score__gte=int(min))
        if names is not None:
            query.filter(name__in=names.split(","))
        if either is not None:
            a, b = either.split(",")
            query.filter(Q(name=a) | Q(name=b))
        query.order_by(order)
        if limit is not None:
            query.limit(limit)
        if offset is not None:
            query.offset(offset)
        return {"items": query.execute().fetch()}


@app.route("/<name>/items/<int:item_id>", methods=["GET"])
def item(context, name, item_id):
    row = context.db(alias(name)).select("items").get("*").filter(id=item_id).execute().one()
    return {"id": row.id, "name": row["name"], "score": row.score}


@app.route("/<name>/items/<int:item_id>", methods=["PATCH"])
def change(context, name, item_id, score):
    task = (
        context.db(alias(name), rm_cache="tables.items")
        .update("items")
        .set(score=int(score))
        .filter(id=item_id)
        .returning("id, score")
        .execute()
    )
    return {"changed": task.fetch(), "rowcount": task.rowcount}


@app.route("/<name>/items/<int:item_id>", methods=["DELETE"])
def remove(context, name, item_id):
    task = context.db(alias(name)).delete("items").filter(id=item_id).execute()
    task.commit()
    return {"deleted": task.rowcount}


@app.route("/<name>/summary")
def summary(context, name):
    with context.db(alias(name)) as db:
        root = db.select("items").filter(Q(score__gt=0) | Q(score__isnull=True)).order_by("-id").limit(2)
        return context.Map(
            latest=root.clone().get("id, name").execute(),
            stats__one=root.clone().aggregate("count(id) as cnt", "max(score) as best").execute(),
        )


@app.route("/<name>/cte")
def cte(context, name):
    with context.db(alias(name)) as db:
        best = db.select("items").get("id, score").filter(score__gte=10)
        rows = db.select("best").get("count(*) as n").with_("best", best).execute().one()
    return {"n": rows.n}


@app.route("/<name>/raw")
def raw(context, name, title):
    mark = "%s" if name == "pg" else "?"
    rows = context.db(alias(name)).execute(f"SELECT id, name FROM items WHERE name = {mark}", (title,)).fetch()
    return {"items": rows}


@app.route("/<name>/hidden")
def hidden(context, name):
    def hide(rows):
        for row in rows:
            row.name = "****"
        return rows

    return context.Map(result=context.db(alias(name), filter=hide).execute("SELECT id, name FROM items"))


@app.route("/<name>/sleep")
def sleep(context, name, seconds="1"):
    sql = "SELECT pg_sleep(%s) AS slept" if name == "pg" else "SELECT 1 AS slept"
    context.db(alias(name)).execute(sql, (float(seconds),) if name == "pg" else ()).fetch()
    return {"slept": seconds}


@app.route("/<name>/cached")
def cached(context, name):
    task = context.db(alias(name), use_cache="tables.items").select("items").get("id, score").order_by("id").execute()
    return {"items": task.fetch(), "pid": os.getpid()}


@app.route("/touch", methods=["POST"])
def touch(context):
    context.setlu("tables.items", "from-touch")
    return {"pid": os.getpid(), "lu": context.getlu("tables.items")}


@app.route("/lu")
def lu(context):
    return {"pid": os.getpid(), "lu": context.getlu("tables.items"), "events": events["setlu"]}


@app.on("setlu:tables.items")
def on_setlu(context, *args, **kwargs):
    events["setlu"] += 1


# -- async routes ---------------------------------------------------------------------------------
@app.route("/<name>/async/items")
async def async_items(context, name, like="%"):
    rows = (
        await context.db(alias(name)).select("items").get("id, name").filter(name__like=like).order_by("id").execute()
    )
    return {"items": rows}


@app.route("/<name>/async/add", methods=["POST"])
async def async_add(context, name, title):
    task = context.db(alias(name)).insert("items").set(name=title, score=1).returning("id").execute()
    await task
    return {"id": task.one().id}


# -- redis ----------------------------------------------------------------------------------------------
@app.route("/redis/set", methods=["POST"])
def redis_set(context, key, value):
    with context.db("@redis") as db:
        db.set(key, value).commit()
        return {"value": db.get(key).fetch()}


@app.route("/redis/async")
async def redis_async(context, key):
    db = context.db("@redis")
    await db.incr(key)
    return {"value": await db.get(key)}


@app.route("/<name>/silent-update", methods=["POST"])
def silent_update(context, name, score):
    mark = "%s" if name == "pg" else "?"
    context.db(alias(name)).execute(f"UPDATE items SET score = {mark}", (int(score),)).commit()
    return {"ok": True}


@app.route("/pool")
def pool(context):
    return {"pid": os.getpid()}


news_reloads = []


@app.route("/news")
@app.if_updated("news", lambda context, key: news_reloads.append(key), interval=0)
def news(context):
    return {"reloads": len(news_reloads)}


@app.route("/news/touch", methods=["POST"])
def news_touch(context):
    context.setlu("news")
    return {"ok": True}

"""Notes: a small Atila app kept in PostgreSQL, with a hit counter in Redis.

The services are found through ``DATABASE_URL`` and ``REDIS_URL`` (what the
compose file sets).  Without them the app still starts and ``/health`` says
which one is missing, so a broken deployment is visible instead of silent.
"""

import os

__version__ = "1.0"
NAME = "Notes"

SCHEMA = "CREATE TABLE IF NOT EXISTS notes (id SERIAL PRIMARY KEY, body TEXT NOT NULL)"
_schema_ready = False


def database():
    """A new connection (psycopg 3), or None when DATABASE_URL is not set.

    The table is created on the first connection that works, so the app starts
    (and /health can say what is wrong) while the database is still down.
    """
    global _schema_ready
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None
    import psycopg

    conn = psycopg.connect(url, connect_timeout=3, autocommit=True)
    if not _schema_ready:
        conn.execute(SCHEMA)
        _schema_ready = True
    return conn


def cache():
    url = os.environ.get("REDIS_URL")
    if not url:
        return None
    import redis

    return redis.Redis.from_url(url, socket_timeout=3)


def check(name, connect, probe):
    """``"ok"``, ``"not configured"`` or the error, for /health."""
    try:
        conn = connect()
    except Exception as exc:  # an unreachable server must not 500 the health check
        return f"unreachable: {exc.__class__.__name__}"
    if conn is None:
        return "not configured"
    try:
        probe(conn)
        return "ok"
    except Exception as exc:
        return f"failing: {exc.__class__.__name__}"
    finally:
        conn.close()


def connect_or_503(context):
    try:
        conn = database()
    except Exception as exc:
        reason = f"database unreachable: {exc.__class__.__name__}"
        raise context.HttpError("503 Service Unavailable", reason) from None
    if conn is None:
        raise context.HttpError("503 Service Unavailable", "DATABASE_URL is not set")
    return conn


# atila hooks ------------------------
def __app__():
    from atila import Atila

    return Atila(__name__)


def __mount__(context, app):
    @app.route("/", methods=["GET"])
    def index(context):
        return context.API(app=NAME, version=__version__)

    @app.route("/health", methods=["GET"])
    def health(context):
        """Ready when both services answer (a load balancer's health check)."""
        report = {
            "database": check("database", database, lambda conn: conn.execute("SELECT 1")),
            "redis": check("redis", cache, lambda conn: conn.ping()),
        }
        status = "200 OK" if all(value == "ok" for value in report.values()) else "503 Service Unavailable"
        return context.API(status, **report)

    @app.route("/notes", methods=["GET"])
    @app.inspect(limit__between=(1, 100))
    def list_notes(context, limit: int = 20):
        conn = connect_or_503(context)
        with conn:
            rows = conn.execute("SELECT id, body FROM notes ORDER BY id DESC LIMIT %s", (limit,)).fetchall()
        hits = cache()
        seen = hits.incr("notes:listed") if hits is not None else None
        return context.API(notes=[{"id": row[0], "body": row[1]} for row in rows], listed=seen)

    @app.route("/notes", methods=["POST"])
    def add_note(context, body: str):
        conn = connect_or_503(context)
        with conn:
            note_id = conn.execute("INSERT INTO notes (body) VALUES (%s) RETURNING id", (body,)).fetchone()[0]
        return context.API("201 Created", id=note_id)

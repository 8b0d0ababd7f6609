"""Option I, "Database Management Not Required": the same index kept in a
SQLite database named by the ``@dumbseek`` alias (skitaid.py declares it),
instead of the in-memory dicts of ``db.py``.  Used by the API when the alias
exists; the package still works as a local library without it.
"""

import threading

from .. import analyzer

ALIAS = "@dumbseek"
_ready = set ()
_lock = threading.Lock ()


def enabled ():
    from skitai.resources import current_registry
    return ALIAS in current_registry ().aliases


def _db (context):
    db = context.db (ALIAS)
    if ALIAS not in _ready:
        with _lock:
            if ALIAS not in _ready:
                db.execute ("CREATE TABLE IF NOT EXISTS documents "
                            "(id INTEGER PRIMARY KEY, body TEXT NOT NULL)").commit ()
                db.execute ("CREATE TABLE IF NOT EXISTS postings (token TEXT NOT NULL, doc_id INTEGER NOT NULL, "
                            "PRIMARY KEY (token, doc_id))").commit ()
                _ready.add (ALIAS)
    return db


def index (context, doc):
    with _db (context) as db:
        top = db.select ("documents").aggregate ("max(id) as top").execute ().one ().top
        doc_id = 0 if top is None else top + 1
        db.insert ("documents").set (id = doc_id, body = doc).execute ().commit ()
        context.Tasks ([
            db.insert ("postings").set (token = token, doc_id = doc_id).execute ()
            for token in sorted (set (analyzer.analyze (doc)))
        ]).commit ()
    return doc_id


def search (context, query):
    tokens = analyzer.analyze (query)
    if not tokens:
        return []
    with _db (context) as db:
        found = context.Tasks ([
            db.select ("postings").get ("doc_id").filter (token = token).execute ()
            for token in tokens
        ]).fetch ()
        doc_ids = set.intersection (*[{row.doc_id for row in rows} for rows in found])
        if not doc_ids:
            return []
        rows = (db.select ("documents").get ("body")
                .filter (id__in = sorted (doc_ids)).order_by ("id")).execute ().fetch ()
    return [row.body for row in rows]


def get (context, doc_id):
    rows = _db (context).select ("documents").get ("body").filter (id = doc_id).execute ().fetch ()
    return rows [0].body if rows else None

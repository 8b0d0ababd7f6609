"""The resources test site: task routes, database aliases, upstream stubs.

Aliases come from the environment the tests set: RES_SQLITE (a file path),
RES_PG (user@host:port/db), RES_REDIS (host:port/0), RES_UPSTREAMS (members,
comma separated), RES_WORKERS.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import skitai

if os.environ.get("RES_SQLITE"):
    skitai.alias("@lite", skitai.DB_SQLITE3, os.environ["RES_SQLITE"], pool_size=4, pool_timeout=1.0)
if os.environ.get("RES_PG"):
    skitai.alias("@pg", skitai.DB_PGSQL, [os.environ["RES_PG"]], pool_size=2, pool_timeout=1.0, timeout=20.0)
if os.environ.get("RES_REDIS"):
    skitai.alias("@redis", skitai.DB_REDIS, os.environ["RES_REDIS"])
if os.environ.get("RES_UPSTREAMS"):
    skitai.alias("@api", skitai.PROTO_HTTP, os.environ["RES_UPSTREAMS"].split(","), timeout=2.0)
if os.environ.get("RES_FLAKY"):
    skitai.alias("@flaky", skitai.PROTO_HTTP, os.environ["RES_FLAKY"].split(","), timeout=2.0)
if os.environ.get("RES_XMLRPC"):
    skitai.alias("@xmlrpc", skitai.PROTO_HTTP, os.environ["RES_XMLRPC"])
if os.environ.get("RES_JSONRPC"):
    skitai.alias("@jsonrpc", skitai.PROTO_HTTP, os.environ["RES_JSONRPC"])
skitai.deflu("tables.items", "news")

import dbapp  # noqa: E402
import taskapp  # noqa: E402

with skitai.preference() as pref:
    pref.debug = os.environ.get("RES_DEBUG") == "1"
    skitai.mount("/", taskapp.app, pref)
    skitai.mount("/db", dbapp.app, pref)
skitai.run(workers=int(os.environ.get("RES_WORKERS", "1")))

# "Option I": the launch script's @dumbseek alias keeps the index in SQLite
import os
import sqlite3

import pytest

import skitai
from skitai.testing.client import free_port

pytestmark = pytest.mark.process

SKITAID = os.path.join(os.path.dirname(__file__), "../../../examples/dumbseek/skitaid.py")


def test_documents_are_stored_in_the_alias_database(tmp_path):
    path = tmp_path / "dumbseek.db"
    with skitai.test_client(SKITAID, port=free_port(), env={"DUMBSEEK_DB": str(path)}) as engine:
        assert engine.post("/api/documents", data={"document": "Detective Holmes"}).status_code == 201
        assert engine.post("/api/documents", data={"document": "Detective Monk"}).status_code == 201
        assert engine.get("/api/documents", params={"q": "detective"}).json()["result"] == [
            "Detective Holmes",
            "Detective Monk",
        ]
        assert engine.get("/api/documents", params={"q": "holmes monk"}).json()["result"] == []
        assert engine.get("/api/documents/1").json()["document"] == "Detective Monk"
        assert engine.get("/api/documents/7").status_code == 404
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT id, body FROM documents ORDER BY id").fetchall() == [
            (0, "Detective Holmes"),
            (1, "Detective Monk"),
        ]
        assert ("monk", 1) in conn.execute("SELECT token, doc_id FROM postings").fetchall()

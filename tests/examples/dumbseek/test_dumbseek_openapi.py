"""The dumbseek example's OpenAPI document, validated, and schemathesis run
against the real server process: no generated request may get a 5xx answer.

Bounded: a handful of examples per operation, no stateful phase (a few seconds)."""

import os
import subprocess
import sys

import pytest
from openapi_spec_validator import validate

import skitai
from skitai.testing.client import free_port

pytestmark = pytest.mark.process

SKITAID = os.path.join(os.path.dirname(__file__), "../../../examples/dumbseek/skitaid.py")


def test_document_validates_and_lists_the_api():
    with skitai.test_client(SKITAID, port=free_port()) as engine:
        doc = engine.get("/openapi.json").json()
        validate(doc)
        assert doc["info"] == {"title": "Dumb Seek", "version": "1.0"}
        assert set(doc["paths"]) == {"/", "/api/tokens", "/api/documents", "/api/documents/{doc_id}"}
        assert set(doc["paths"]["/api/documents"]) == {"get", "post"}
        search = doc["paths"]["/api/documents"]["get"]["parameters"]
        assert search == [{"name": "q", "in": "query", "schema": {"type": "string"}, "required": True}]
        assert engine.get("/docs").status_code == 200


def test_schemathesis_finds_no_server_error(tmp_path):
    port = free_port()
    with skitai.test_client(SKITAID, port=port):
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "run",
                f"http://127.0.0.1:{port}/openapi.json",
                "--checks",
                "not_a_server_error",
                "--max-examples",
                "8",
                "--phases",
                "examples,coverage,fuzzing",
                "--workers",
                "1",
                "--request-timeout",
                "10",
                "--seed",
                "1",
            ],
            capture_output=True,
            text=True,
            timeout=180,
            cwd=tmp_path,
        )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "No issues found" in run.stdout
    assert "Tested: 6" in run.stdout  # every operation of the document was exercised

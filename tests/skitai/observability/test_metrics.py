"""Prometheus /metrics over real HTTP with several workers: counts and latency
per route template and mount, summed across workers; open connections; worker
restarts counted by the master."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

import skitai
from skitai.testing.client import free_port

pytestmark = pytest.mark.process

SERVE = """
    import os
    import skitai
    from atila import Atila

    app = Atila("metered")

    @app.route("/users/<int:id>", methods=["GET"])
    def user(context, id):
        return str(os.getpid())

    @app.route("/die", methods=["POST"])
    def die(context):
        os._exit(3)

    if __name__ == "__main__":
        skitai.mount("/api", app)
        skitai.run(workers=2, SETTINGS)
"""


def samples(text, name):
    """{labels-tuple: value} of one metric's samples."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def fresh_get(port, path):
    # a new connection per request, so the kernel spreads them over both workers
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        return client.get(path)


def test_counts_are_summed_across_workers(script, wait_for):
    port = free_port()
    with skitai.test_client(script(SERVE.replace("SETTINGS", "metrics=True")), port=port) as cli:
        pids = set()
        for number in range(40):
            response = fresh_get(port, f"/api/users/{number}")
            assert response.status_code == 200
            pids.add(response.text)
        assert fresh_get(port, "/api/nothing").status_code == 404

        def counted():
            text = fresh_get(port, "/metrics").text
            users = samples(text, "skitai_requests_total").get(
                (("method", "GET"), ("mount", "/api"), ("route", "/users/<int:id>"), ("status", "200"))
            )
            return text if users == 40 else None

        # every scrape sees the total, whichever worker answers it
        for _ in range(4):
            text = wait_for(counted, "40 counted requests")
        response = fresh_get(port, "/metrics")
        assert response.headers["content-type"].startswith("text/plain")
        histogram = samples(text, "skitai_request_duration_seconds_count")
        assert histogram[(("mount", "/api"), ("route", "/users/<int:id>"))] == 40
        unmatched = samples(text, "skitai_requests_total")
        assert unmatched[(("method", "GET"), ("mount", "/api"), ("route", "<unmatched>"), ("status", "404"))] == 1
        assert fresh_get(port, "/metrics").headers["x-request-id"]
        assert cli.post("/metrics").status_code == 405
        if len(pids) < 2:
            print("note: the kernel sent every request to one worker this time")


def test_open_connections_and_worker_restarts(script, wait_for):
    port = free_port()
    with skitai.test_client(script(SERVE.replace("SETTINGS", "metrics=True, metrics_path='/_m'")), port=port):
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as held:
            held.get("/api/users/1")  # keeps its connection open (keep-alive)

            def gauge():
                text = fresh_get(port, "/_m").text
                value = samples(text, "skitai_open_connections").get(())
                return value is not None and value >= 1

            wait_for(gauge, "an open connection in the gauge")
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            try:
                client.post("/api/die")
            except httpx.HTTPError:
                pass  # the worker died mid-request

        def restarted():
            try:
                text = fresh_get(port, "/_m").text
            except httpx.HTTPError:
                return False
            return samples(text, "skitai_worker_restarts_total").get(()) == 1

        wait_for(restarted, "the restart counted")
        assert fresh_get(port, "/metrics").status_code == 404  # the path was moved


def test_off_by_default(script):
    port = free_port()
    source = SERVE.replace("workers=2, SETTINGS", "")
    with skitai.test_client(script(source), port=port) as cli:
        assert cli.get("/metrics").status_code == 404


def test_a_given_folder_is_wiped_of_an_earlier_runs_counts(script, tmp_path, wait_for):
    folder = tmp_path / "prom"
    port = free_port()
    source = script(SERVE.replace("SETTINGS", "metrics=True"))
    for run in range(2):
        with skitai.test_client(source, port=port, env={"PROMETHEUS_MULTIPROC_DIR": str(folder)}):
            assert fresh_get(port, "/api/users/1").status_code == 200

            def one():
                text = fresh_get(port, "/metrics").text
                counts = samples(text, "skitai_requests_total")
                return counts.get(
                    (("method", "GET"), ("mount", "/api"), ("route", "/users/<int:id>"), ("status", "200"))
                )

            assert wait_for(one, f"the count of run {run}") == 1
    assert folder.is_dir()  # a folder the environment gives is the operator's: kept

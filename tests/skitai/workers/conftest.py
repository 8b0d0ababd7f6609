"""Real server processes: a launch script in tmp_path serving a tiny ASGI app.

The app appends "worker_id pid cuda" to ``starts.txt`` at each worker start
(ASGI lifespan), so tests can see workers come and go without timing guesses.
"""

import pytest

from skitai.testing.client import free_port

SERVE = """
import asyncio, os, sys
import skitai

HERE = os.path.dirname(os.path.abspath(__file__))
MESSAGE = "v1"

async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                with open(os.path.join(HERE, "starts.txt"), "a") as f:
                    worker = os.environ.get('SKITAI_WORKER_ID')
                    cuda = os.environ.get('CUDA_VISIBLE_DEVICES', '-')
                    f.write(f"{worker} {os.getpid()} {cuda}\\n")
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    path = scope["path"]
    if path == "/crash":
        os._exit(3)
    if path == "/slow":
        open(os.path.join(HERE, "slow-started"), "w").close()
        await asyncio.sleep(float(scope["query_string"] or 1))
    body = f"{MESSAGE} {path} {os.getpid()}".encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})

if __name__ == "__main__":
    skitai.mount("/", app)
    skitai.run(port=5000, name="testapp", graceful_timeout=10, **SETTINGS)
"""


@pytest.fixture
def port():
    return free_port()


@pytest.fixture
def make_script(tmp_path, monkeypatch):
    """Write serve.py with extra ``skitai.run`` settings; SKITAI_HOME is tmp_path."""
    monkeypatch.setenv("SKITAI_HOME", str(tmp_path / "home"))

    def make(**settings):
        script = tmp_path / "serve.py"
        script.write_text(SERVE.replace("**SETTINGS", f"**{settings!r}"))
        return script

    return make

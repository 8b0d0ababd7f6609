"""docs/rpc.md runs as written: its server scripts started as they are, its
client snippet and a stock gRPC client calling them."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

import skitai
from skitai.testing.client import free_port

pytestmark = pytest.mark.process
ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).parent
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "rpc.md").read_text(), re.S)


def test_the_xmlrpc_example_and_its_client(tmp_path):
    (tmp_path / "serve.py").write_text(BLOCKS[0])
    port = free_port()
    with skitai.test_client(str(tmp_path / "serve.py"), port=port) as cli:
        exec(BLOCKS[1].replace("127.0.0.1:5000", f"127.0.0.1:{port}"), {})
        answer = cli.post(
            "/rpc2",
            content=b'{"jsonrpc": "2.0", "method": "add", "params": [1, 2], "id": 1}',
            headers={"Content-Type": "application/json-rpc"},
        )
        assert answer.json() == {"jsonrpc": "2.0", "result": 3, "id": 1}
        assert cli.get("/rpc2/add?num1=1&num2=2").text == "12"


def test_the_grpc_example_with_a_stock_client(tmp_path):
    grpc = pytest.importorskip("grpc")
    protoc = pytest.importorskip("grpc_tools.protoc")
    shutil.copy(HERE / "route_guide.proto", tmp_path)
    assert (
        protoc.main(
            [
                "protoc",
                f"-I{tmp_path}",
                f"--python_out={tmp_path}",
                f"--grpc_python_out={tmp_path}",
                str(tmp_path / "route_guide.proto"),
            ]
        )
        == 0
    )
    (tmp_path / "serve.py").write_text(BLOCKS[2])
    port = free_port()
    sys.path.insert(0, str(tmp_path))
    try:
        for name in ("route_guide_pb2", "route_guide_pb2_grpc"):
            sys.modules.pop(name, None)
        import route_guide_pb2 as pb2
        import route_guide_pb2_grpc as pb2_grpc

        with (
            skitai.test_client(str(tmp_path / "serve.py"), port=port),
            grpc.insecure_channel(f"127.0.0.1:{port}") as channel,
        ):
            stub = pb2_grpc.RouteGuideStub(channel)
            assert stub.GetFeature(pb2.Point(latitude=5)).location.latitude == 5
            rect = pb2.Rectangle(lo=pb2.Point(latitude=0), hi=pb2.Point(latitude=3))
            assert [f.name for f in stub.ListFeatures(rect)] == ["home"]
            assert stub.RecordRoute(iter([pb2.Point(), pb2.Point()])).point_count == 2
            notes = [pb2.RouteNote(message="a"), pb2.RouteNote(message="b")]
            assert [n.message for n in stub.RouteChat(iter(notes))] == ["re: a", "re: b"]
    finally:
        sys.path.remove(str(tmp_path))
        for name in ("route_guide_pb2", "route_guide_pb2_grpc"):
            sys.modules.pop(name, None)

"""gRPC over HTTP/2 with a stock grpcio client and stubs generated at test time:
unary, async unary, response, request and bidirectional streaming, the status
trailers of every error path, compression, deadlines, size limits, a client
that cancels mid-stream."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pytest

grpc = pytest.importorskip("grpc")
protoc = pytest.importorskip("grpc_tools.protoc")

import skitai  # noqa: E402
from skitai.testing.client import free_port  # noqa: E402

pytestmark = pytest.mark.process
HERE = Path(__file__).parent

SERVE = """
import skitai
import grpc_app
from atila.rpc.reflection import REFLECTION_SERVICE, reflection_app

if __name__ == "__main__":
    skitai.mount("/routeguide.RouteGuide", grpc_app.app)
    skitai.mount("/" + REFLECTION_SERVICE, reflection_app())
    skitai.run(port=5000)
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("grpc")
    shutil.copy(HERE / "route_guide.proto", home)
    shutil.copy(HERE / "grpc_app.py", home)
    assert (
        protoc.main(
            [
                "protoc",
                f"-I{home}",
                f"--python_out={home}",
                f"--grpc_python_out={home}",
                str(home / "route_guide.proto"),
            ]
        )
        == 0
    )
    (home / "serve.py").write_text(SERVE)
    sys.path.insert(0, str(home))
    yield home
    sys.path.remove(str(home))
    for name in ("route_guide_pb2", "route_guide_pb2_grpc"):
        sys.modules.pop(name, None)


@pytest.fixture(scope="module")
def server(home):
    with skitai.test_client(str(home / "serve.py"), port=free_port()) as client:
        yield client


@pytest.fixture(scope="module")
def pb(home):
    import route_guide_pb2
    import route_guide_pb2_grpc

    return route_guide_pb2, route_guide_pb2_grpc


@pytest.fixture(scope="module")
def stub(server, pb):
    channel = grpc.insecure_channel(f"127.0.0.1:{server.port}")
    yield pb[1].RouteGuideStub(channel)
    channel.close()


def test_unary_and_async_unary(stub, pb):
    pb2 = pb[0]
    feature = stub.GetFeature(pb2.Point(latitude=3, longitude=-3))
    assert feature.name == "feature 3" and feature.location.latitude == 3
    assert stub.GetFeature(pb2.Point(latitude=99)).name == ""
    assert stub.GetFeatureAsync(pb2.Point(latitude=4, longitude=-4)).name == "async feature 4"


def test_response_streaming(stub, pb):
    pb2 = pb[0]
    rect = pb2.Rectangle(lo=pb2.Point(latitude=2), hi=pb2.Point(latitude=5))
    assert [f.name for f in stub.ListFeatures(rect)] == ["feature 2", "feature 3", "feature 4", "feature 5"]


def test_request_streaming_async_and_sync(stub, pb):
    pb2 = pb[0]
    points = [pb2.Point(latitude=i, longitude=i) for i in range(1, 6)]
    summary = stub.RecordRoute(iter(points))
    assert summary.point_count == 5 and summary.distance == 30
    assert stub.RecordRouteSync(iter(points)).point_count == 5


def test_bidirectional_streaming_answers_while_requests_arrive(stub, pb):
    import queue

    pb2 = pb[0]
    outgoing: queue.Queue = queue.Queue()

    def requests():
        while True:
            item = outgoing.get()
            if item is None:
                return
            yield item

    replies = stub.RouteChat(requests())
    outgoing.put(pb2.RouteNote(message="first"))
    assert next(replies).message == "re: first"  # before the second request exists
    outgoing.put(pb2.RouteNote(message="second"))
    assert next(replies).message == "re: second"
    outgoing.put(None)
    assert list(replies) == []


def test_an_exception_is_internal_with_its_message(stub, pb):
    with pytest.raises(grpc.RpcError) as info:
        stub.Fail(pb[0].Point(latitude=7))
    assert info.value.code() == grpc.StatusCode.INTERNAL
    assert info.value.details() == "ValueError: no feature at 7"


def test_an_http_error_keeps_its_meaning(stub, pb):
    with pytest.raises(grpc.RpcError) as info:
        stub.Denied(pb[0].Point())
    assert info.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "members only" in info.value.details()


def test_a_route_chooses_its_status_with_grpc_error(stub, pb):
    with pytest.raises(grpc.RpcError) as info:
        stub.Echo(pb[0].RouteNote(message="not-found"))
    assert info.value.code() == grpc.StatusCode.NOT_FOUND
    assert info.value.details() == "no such note: ünïcode %"  # percent-encoded on the wire


def test_an_unknown_method_is_unimplemented(stub, pb):
    with pytest.raises(grpc.RpcError) as info:
        stub.Missing(pb[0].Point())
    assert info.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert "/routeguide.RouteGuide/Missing" in info.value.details()


def test_compressed_messages_are_accepted(stub, pb):
    note = pb[0].RouteNote(message="squeeze " * 100)
    assert stub.Echo(note, compression=grpc.Compression.Gzip).message == note.message


def test_a_message_over_the_limit_is_resource_exhausted(stub, pb):
    with pytest.raises(grpc.RpcError) as info:
        stub.Echo(pb[0].RouteNote(message="x" * 10000))
    assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "GRPC_MAX_MESSAGE_SIZE" in info.value.details()


def _events(server):
    return server.get("/routeguide.RouteGuide/events").json()["events"]


def _wait_for(server, event):
    for _ in range(100):
        if event in _events(server):
            return True
        time.sleep(0.05)
    return False


def test_the_deadline_is_honoured_by_the_server(server, stub, pb):
    with pytest.raises(grpc.RpcError) as info:
        stub.Slow(pb[0].Point(), timeout=0.3)
    assert info.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert _wait_for(server, "slow cancelled")  # the route was stopped, not left running


def test_a_client_that_cancels_mid_stream_stops_the_route(server, stub, pb):
    call = stub.Endless(pb[0].Rectangle())
    names = [next(call).name for _ in range(3)]
    assert names == ["endless 1", "endless 2", "endless 3"]
    call.cancel()
    assert _wait_for(server, "endless closed")
    # and the connection serves the next call
    assert stub.GetFeature(pb[0].Point(latitude=1, longitude=-1)).name == "feature 1"


def test_server_reflection_lists_and_describes_the_services(server, stub):
    pytest.importorskip("grpc_reflection")
    from google.protobuf.descriptor_pool import DescriptorPool
    from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        database = ProtoReflectionDescriptorDatabase(channel)
        # the reflection service lists itself, as grpc's own does
        assert list(database.get_services()) == ["grpc.reflection.v1alpha.ServerReflection", "routeguide.RouteGuide"]
        service = DescriptorPool(database).FindServiceByName("routeguide.RouteGuide")
        method = service.methods_by_name["RouteChat"]
        assert method.input_type.full_name == "routeguide.RouteNote"
        assert method.client_streaming and method.server_streaming


def test_grpc_over_http1_is_refused_with_the_reason(server):
    answer = server.post(
        "/routeguide.RouteGuide/GetFeature", content=b"\0\0\0\0\0", headers={"Content-Type": "application/grpc"}
    )
    assert answer.status_code == 505
    assert "gRPC needs HTTP/2" in answer.text

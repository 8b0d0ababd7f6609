"""The route guide served by Atila routes (the test copies this file beside
the stubs it generates)."""

import asyncio
import time

import route_guide_pb2

from atila import Atila, HttpError
from atila.rpc.grpc import GRPCError, Status

app = Atila(__name__)
app.config.GRPC_MAX_MESSAGE_SIZE = 4096
events = []

FEATURES = [
    route_guide_pb2.Feature(name=f"feature {i}", location=route_guide_pb2.Point(latitude=i, longitude=-i))
    for i in range(10)
]


def get_feature(point):
    for feature in FEATURES:
        if feature.location == point:
            return feature
    return None


@app.route("/GetFeature")
def GetFeature(context, point):
    feature = get_feature(point)
    if feature is None:
        return route_guide_pb2.Feature(name="", location=point)
    return feature


@app.route("/GetFeatureAsync")
async def GetFeatureAsync(context, point):
    await asyncio.sleep(0)
    return {"name": "async " + (get_feature(point) or route_guide_pb2.Feature()).name, "location": point}


@app.route("/ListFeatures")
def ListFeatures(context, rectangle):
    for feature in FEATURES:
        if rectangle.lo.latitude <= feature.location.latitude <= rectangle.hi.latitude:
            yield feature


@app.route("/RecordRoute", stream=True)
async def RecordRoute(context, point_iter):
    count = distance = 0
    async for point in point_iter:
        count += 1
        distance += abs(point.latitude) + abs(point.longitude)
    return route_guide_pb2.RouteSummary(point_count=count, distance=distance)


@app.route("/RecordRouteSync", stream=True)
def RecordRouteSync(context, point_iter):
    points = [point for point in point_iter]
    return route_guide_pb2.RouteSummary(point_count=len(points))


@app.route("/RouteChat", stream=True)
async def RouteChat(context, note_iter):
    async for note in note_iter:
        yield route_guide_pb2.RouteNote(location=note.location, message="re: " + note.message)


@app.route("/Echo")
def Echo(context, note):
    if note.message == "not-found":
        raise GRPCError(Status.NOT_FOUND, "no such note: ünïcode %")
    return note


@app.route("/Fail")
def Fail(context, point):
    raise ValueError(f"no feature at {point.latitude}")


@app.route("/Denied")
def Denied(context, point):
    raise HttpError(403, "members only")


@app.route("/Slow")
async def Slow(context, point):
    try:
        await asyncio.sleep(30)
    except asyncio.CancelledError:
        events.append("slow cancelled")
        raise


@app.route("/Endless")
async def Endless(context, rectangle):
    n = 0
    try:
        while True:
            n += 1
            yield route_guide_pb2.Feature(name=f"endless {n}")
            await asyncio.sleep(0.01)
    finally:
        events.append("endless closed")


@app.route("/events")
def events_seen(context):
    return {"events": events, "time": time.time()}

"""One error vocabulary: every "answer with this status" error is a
``skitai.errors.HTTPError`` and the pipeline reads status, reason, detail,
headers and extra fields from it the same way."""

import pytest

from atila import Atila, HttpError
from atila.params import ParamError
from atila.security import SecurityError
from skitai.errors import HTTPError, reason_phrase


@pytest.mark.parametrize(
    "error",
    [
        HttpError("409 Conflict", "taken", headers=[("X-Why", "taken")]),
        ParamError(400, "missing parameter: id", field="id", rule="required"),
        SecurityError(403, "not yours", [("X-Why", "owner")]),
    ],
)
def test_framework_errors_are_engine_errors(error):
    assert isinstance(error, HTTPError)
    assert error.close is False  # a refused request does not break the connection
    assert error.reason and error.detail


def test_engine_error_keeps_its_signature():
    error = HTTPError(413, "body too large")
    assert (error.status, error.reason, error.detail, error.headers, error.close) == (
        413,
        reason_phrase(413),
        "body too large",
        [],
        True,
    )
    assert HTTPError(400, close=False).detail == "Bad Request"
    assert HTTPError(405, "no", [("Allow", "GET")]).headers == [("Allow", "GET")]


def test_http_error_keeps_custom_phrase_and_code():
    error = HttpError("400 Bad Token", 40011, "expired")
    assert (error.status, error.reason, error.detail, error.code) == (400, "Bad Token", "expired", 40011)
    assert error.extra() == {"errno": 40011}
    assert str(error) == "400 Bad Token: expired"


def make_app():
    app = Atila(__name__)

    @app.route("/engine")
    def engine(context):
        raise HTTPError(405, "read only", [("Allow", "GET")])

    @app.route("/security")
    def security(context):
        raise SecurityError(401, "who are you", [("WWW-Authenticate", 'Basic realm="x"')])

    @app.route("/param")
    def param(context):
        raise ParamError(400, "parameter n must be even", field="n", rule="even")

    @app.route("/app")
    def app_error(context):
        raise context.HttpError("418 I'm a teapot", 7, "short and stout", headers=[("X-Pot", "1")])

    return app


def test_engine_error_from_a_handler_answers_its_status_and_headers(serve):
    res = serve(make_app()).get("/engine")
    assert res.status == 405
    assert res.header("allow") == "GET"
    assert res.json()["detail"] == "read only"


def test_security_error_answers_its_challenge(serve):
    res = serve(make_app()).get("/security")
    assert res.status == 401
    assert res.header("www-authenticate") == 'Basic realm="x"'
    assert (res.json()["message"], res.json()["detail"]) == ("Unauthorized", "who are you")


def test_param_error_carries_field_and_rule(serve):
    body = serve(make_app()).get("/param").json()
    assert (body["code"], body["field"], body["rule"]) == (400, "n", "even")


def test_app_error_carries_errno_and_headers(serve):
    res = serve(make_app()).get("/app")
    assert res.status == 418
    assert res.header("x-pot") == "1"
    assert (res.json()["errno"], res.json()["detail"]) == (7, "short and stout")

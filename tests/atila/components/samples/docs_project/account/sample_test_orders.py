from tinyapp import app

from atila.testing import AppTestClient


def test_orders():
    with AppTestClient(app, "/") as cli:
        r = cli.post("/apis/orders", json={"item": "apple"}, headers={"Authorization": "Bearer x"})
        assert r.status_code == 201

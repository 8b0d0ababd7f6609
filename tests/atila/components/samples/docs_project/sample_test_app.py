from tinyapp import app

from atila.testing import AppTestClient


def test_tickers():
    with AppTestClient(app, "/") as cli:
        assert cli.get("/apis/tickers/123").json() == {"instock": 2}
        assert cli.get("/apis/tickers/0").status_code == 404
        assert cli.delete("/apis/tickers/5").status_code == 200

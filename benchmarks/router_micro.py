"""Micro-benchmark of Router.match: the cost of one lookup among 21 routes.

Not a test (timings vary by machine); run it to see per-match cost:

    .venv/bin/python benchmarks/router_micro.py
"""

from __future__ import annotations

import timeit

from apps.payloads import FILLER_ROUTES  # the script's folder is on sys.path

from atila.routing import Router, Rule


def _handler(context, **kwargs):  # one handler with **kwargs fits every template
    return kwargs


def build_router() -> Router:
    """The 20 filler routes the server benchmarks register, then ``/users/<int:id>`` as the 21st."""
    router = Router()
    for index, template in enumerate(FILLER_ROUTES):
        router.add(Rule(template, _handler, ["GET", "POST"], None, f"r{index}", {}))
    router.add(Rule("/users/<int:id>", _handler, ["GET"], None, "user", {}))
    assert len(router) == 21
    return router


def main() -> None:
    router = build_router()
    cases = {
        "static  /logout": ("/logout", "GET"),
        "dynamic /users/<int:id>": ("/users/12345", "GET"),
        "dynamic /orders/<int>/lines/<int>": ("/orders/9/lines/3", "GET"),
        "404     /nothing/here": ("/nothing/here", "GET"),
        "405     /users/1 DELETE": ("/users/1", "DELETE"),
    }
    number = 200_000
    print(f"Router.match over {len(router)} routes ({number} calls each, best of 5)")
    for label, (path, method) in cases.items():
        match = router.match(path, method, None)
        best = min(
            timeit.repeat(lambda path=path, method=method: router.match(path, method, None), number=number, repeat=5)
        )
        print(f"  {label:38s} status={match.status}  {best / number * 1e6:6.2f} us/match")


if __name__ == "__main__":
    main()

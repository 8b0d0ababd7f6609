"""The one error every parameter layer raises: binding, ``@app.inspect`` and typed handlers.

It is the client's fault (a 4xx), and it names the field and the rule that failed
so the app can answer a JSON body a client program can act on.
"""

from __future__ import annotations

from typing import Any

from skitai.errors import HTTPError

__all__ = ["ParamError"]


class ParamError(HTTPError):
    """A request parameter is missing, unexpected or invalid.

    Example:
        >>> ParamError(400, "missing parameter: id", field="id", rule="required").as_dict()
        {'status': 400, 'message': 'missing parameter: id', 'field': 'id', 'rule': 'required'}
    """

    def __init__(
        self,
        status: int,
        detail: str,
        field: str | None = None,
        rule: str | None = None,
    ) -> None:
        super().__init__(status, detail, close=False)
        self.field = field
        self.rule = rule

    def extra(self) -> dict[str, Any]:
        return {"field": self.field, "rule": self.rule}

    def as_dict(self) -> dict[str, Any]:
        """The JSON error body: status, message, and the field and rule when known."""
        return {"status": self.status, "message": self.detail, **self.extra()}

    def __repr__(self) -> str:
        return f"ParamError({self.status}, {self.detail!r}, field={self.field!r}, rule={self.rule!r})"

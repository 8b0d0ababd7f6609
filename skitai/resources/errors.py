"""Why a resource could not serve: each carries the HTTP status it implies, so an
unhandled one becomes a clear answer (503, 504) instead of a bare 500."""

from __future__ import annotations

from ..errors import HTTPError

__all__ = ["ResourceError", "PoolExhausted", "ResourceUnavailable", "TaskTimeout", "UnknownAlias"]


class ResourceError(HTTPError):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(status, detail, close=False)


class PoolExhausted(ResourceError):
    """Every connection of the alias's pool stayed busy for ``pool_timeout`` seconds."""

    def __init__(self, alias: str, timeout: float) -> None:
        super().__init__(
            503,
            f"{alias}: no free connection within {timeout:g} s "
            f"(raise pool_size or pool_timeout in skitai.alias({alias!r}, ...))",
        )


class ResourceUnavailable(ResourceError):
    """The alias's server cannot be reached (down, refusing, restarting)."""

    def __init__(self, alias: str, cause: BaseException | str) -> None:
        super().__init__(503, f"{alias} is unavailable: {cause}")


class TaskTimeout(ResourceError, TimeoutError):
    """A task did not finish within its ``timeout``."""

    def __init__(self, what: str, timeout: float | None) -> None:
        limit = f" within {timeout:g} s" if timeout is not None else ""
        super().__init__(504, f"{what} did not finish{limit} (the task's timeout= governs this)")


class UnknownAlias(LookupError):
    def __init__(self, name: str, known: list[str]) -> None:
        hint = ", ".join(known) if known else "none is declared"
        super().__init__(
            f"no resource alias {name!r}: declare it with skitai.alias({name!r}, kind, members) "
            f"in the launch script or __config__ (known: {hint})"
        )

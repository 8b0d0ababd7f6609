"""State and security for Atila apps: cookies, sessions, message box, CSRF,
tokens (JWT, one-time tokens, OTP), authentication, permissions and CORS.

The app calls :func:`install` when it is created; everything else is reached
through the context (``context.session``...) and app decorators
(``@app.permission_required``...).  docs/atila/security.md has the defaults.
"""

from __future__ import annotations

from typing import Any

from .auth import AuthUser
from .errors import MissingSecretKey, SecurityError
from .tokens import generate_otp

__all__ = ["install", "AuthUser", "SecurityError", "MissingSecretKey", "generate_otp"]


def install(app: Any) -> None:
    """Add the security context extensions, decorators and start-up checks to ``app``."""
    # NOTE: imported here because the integration imports the pipeline, which
    # imports this package's errors: a top-level import would be circular.
    from .integration import install as install_security

    install_security(app)

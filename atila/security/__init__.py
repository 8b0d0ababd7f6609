"""State and security for Atila apps: cookies, sessions, message box, CSRF,
tokens (JWT, one-time tokens, OTP), authentication, permissions and CORS.

The app calls :func:`install` when it is created; everything else is reached
through the context (``context.session``...) and app decorators
(``@app.permission_required``...).  docs/atila/security.md has the defaults.
"""

from __future__ import annotations

from .auth import AuthUser
from .errors import MissingSecretKey, SecurityError
from .integration import install
from .tokens import generate_otp

__all__ = ["install", "AuthUser", "SecurityError", "MissingSecretKey", "generate_otp"]

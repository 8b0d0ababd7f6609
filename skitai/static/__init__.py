"""Static folders: safe resolution, conditional and range requests, zero-copy sends."""

from .mount import StaticMount

__all__ = ["StaticMount"]

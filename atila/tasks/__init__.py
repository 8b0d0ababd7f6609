"""Background work of an app: periodic maintenance jobs (``@app.maintain``)."""

from .maintain import DEFAULT_MAINTAIN_INTERVAL, Maintainer, MaintainJob

__all__ = ["DEFAULT_MAINTAIN_INTERVAL", "MaintainJob", "Maintainer"]

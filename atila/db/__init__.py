"""``context.db``: SQL builder, raw statements and NoSQL commands on resource
aliases (see :mod:`.database`)."""

from skitai.resources.rows import Row

from .builder import Query
from .database import Database, DBTask
from .identifiers import InvalidIdentifier
from .q import Q

__all__ = ["Database", "DBTask", "InvalidIdentifier", "Q", "Query", "Row"]

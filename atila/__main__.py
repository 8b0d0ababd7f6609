"""``python3 -m atila startproject NAME``: see :mod:`atila.collabo.startproject`."""

import sys

from atila.collabo.startproject import main

raise SystemExit(main(sys.argv[1:]))

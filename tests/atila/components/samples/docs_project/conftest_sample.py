import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from atila.pytest_hooks import *  # HERE  # noqa: F403 - seed 001's conftest star-imports the fixtures

"""Functions the sample site runs in tasks (a module, so context.Process can import them)."""

import math
import time


def sqrt(value):
    return math.sqrt(value)


def slow(seconds, value="done"):
    time.sleep(seconds)
    return value


def fail(message):
    raise ValueError(message)

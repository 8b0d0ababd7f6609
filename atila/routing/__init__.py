"""URL routing for Atila apps: templates, converters, the route table and URL building."""

from .converters import CONVERTERS, INT_SPECIAL_VALUES, Converter, get_converter
from .router import Match, Router
from .rules import BuildError, Rule

__all__ = ["Rule", "Router", "Match", "BuildError", "Converter", "CONVERTERS", "INT_SPECIAL_VALUES", "get_converter"]

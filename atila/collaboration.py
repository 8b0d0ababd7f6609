"""Apps built on other packages: ``pref.extends(base)`` and ``pref.overrides(other)``.

Extending: the mounted app uses ``base``'s services (routes), static files and
templates wherever it has none of its own.  Overriding: ``other``'s services,
static files and templates win over the mounted app's where they share a path.

Services: at start-up, after the app's own modules are mounted, each overriding
package and then each extended package is mounted on the app's root like a
module given to ``app.mount("/", package)`` (``__setup__``, ``__mount__``, then
its ``__mounted__``).  A route "shares a path" with another when both have the
same template and at least one method in common; an overriding package's route
then replaces the app's, an extended package's route is dropped.
Templates: :mod:`atila.templates` searches the folders in the same order.
Static files: the engine's loader serves each package's ``static/`` folder on the
app's mount point, before (overrides) or after (extends) the app itself.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any

from .mounting import MountedModule
from .routing import Rule

__all__ = ["mount_collaborators", "static_mounts", "conflicts"]


def conflicts(one: Rule, other: Rule) -> bool:
    """True when both rules would answer the same template and method."""
    if one.path != other.path:
        return False
    if one.methods is None or other.methods is None:
        return True
    return bool(one.methods & other.methods)


def _mount(app: Any, module: ModuleType) -> MountedModule | None:
    node: MountedModule | None = app.hooks.mount("/", module, {})
    return node


def _rules_of(node: MountedModule) -> list[Rule]:
    return [rule for item in node.walk() for rule in item.rules]


def mount_collaborators(app: Any) -> None:
    """Mount ``app.override_modules`` then ``app.base_modules`` (runs inside start-up)."""
    for module in getattr(app, "override_modules", ()) or ():
        before = list(app.router)
        node = _mount(app, module)
        if node is None:
            continue
        for rule in _rules_of(node):
            for old in before:
                if conflicts(old, rule) and old is not rule:
                    app.unroute_rule(old)
        app.hooks._run_mounted(node)
    for module in getattr(app, "base_modules", ()) or ():
        before = list(app.router)
        node = _mount(app, module)
        if node is None:
            continue
        for rule in _rules_of(node):
            if any(conflicts(old, rule) for old in before):
                app.unroute_rule(rule)
        app.hooks._run_mounted(node)


def _folders(modules: Any) -> list[str]:
    found = []
    for module in modules or ():
        file = getattr(module, "__file__", None)
        if file:
            folder = os.path.join(os.path.dirname(os.path.abspath(file)), "static")
            if os.path.isdir(folder):
                found.append(folder)
    return found


def static_mounts(app: Any) -> list[Any]:
    """Static mounts on the app's mount point for the packages' ``static/`` folders:
    overriding ones tried before everything else there, extended ones after the app."""
    from skitai.static.mount import StaticMount

    mounts = []
    for priority, folders in ((-1, _folders(app.override_modules)), (20, _folders(app.base_modules))):
        for folder in folders:
            mount = StaticMount(app.prefix, folder)
            mount.priority = priority
            mounts.append(mount)
    return mounts

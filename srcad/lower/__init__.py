"""Lowering: core form to simpler core form, before any derivative is taken.

``rebound`` gives a name rebound from an array to a scalar a new version;
``casts`` replaces ``type(x)(v)`` and dtype arguments once the types are known;

``views`` replaces names bound to another array's storage by the expressions
they view and turns in-place operators on arrays into element writes;
``scalarize`` rewrites whole-array expressions as loops over elements (and
gives rebound arrays new versions); ``flatten`` names every operation's
operands, so the transforms see one operation a statement.
"""

from .casts import resolve_casts
from .flatten import flatten
from .rebound import version_rebound_names
from .scalarize import scalarize
from .views import resolve_views

__all__ = ["flatten", "resolve_casts", "resolve_views", "scalarize", "version_rebound_names"]

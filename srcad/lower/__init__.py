"""Lowering: core form to simpler core form, before any derivative is taken.

``views`` replaces names bound to another array's storage by the expressions
they view and turns in-place operators on arrays into element writes;
``scalarize`` rewrites whole-array expressions as loops over elements (and
gives rebound arrays new versions); ``flatten`` names every operation's
operands, so the transforms see one operation a statement.
"""

from .flatten import flatten
from .scalarize import scalarize
from .views import resolve_views

__all__ = ["flatten", "resolve_views", "scalarize"]

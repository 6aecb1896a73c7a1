"""Derivative rules: one table, one entry a primitive, tangent and adjoint together."""

from .registry import Rule, lookup_call, lookup_operator, register, rule_for_object
from .apply import Operand, local_partials, operands_of, rule_of, simplify
from . import arrays, scalar  # noqa: F401  (fill the table)
from .arrays import ARRAY_OPERATIONS, CONSTRUCTORS

__all__ = [
    "Rule", "lookup_call", "lookup_operator", "register", "rule_for_object",
    "Operand", "local_partials", "operands_of", "rule_of", "simplify", "CONSTRUCTORS", "ARRAY_OPERATIONS",
]

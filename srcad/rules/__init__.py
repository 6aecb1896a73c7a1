"""Derivative rules: one table, one entry a primitive, tangent and adjoint together."""

from .registry import Rule, lookup_call, lookup_operator, register, rule_for_object
from .apply import Operand, local_partials, operands_of, rule_of, simplify
from . import array_operations, arrays, linalg, scalar, special  # noqa: F401  (fill the table)
from .array_operations import ArrayOperation, lookup_array_operation
from .arrays import CONSTRUCTORS

__all__ = [
    "Rule", "lookup_call", "lookup_operator", "register", "rule_for_object",
    "Operand", "local_partials", "operands_of", "rule_of", "simplify", "CONSTRUCTORS",
    "ArrayOperation", "lookup_array_operation",
]

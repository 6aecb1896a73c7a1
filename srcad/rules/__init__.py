"""Derivative rules: one table, one entry a primitive, tangent and adjoint together."""

from .registry import Rule, lookup_call, lookup_operator, register, rule_for_object
from .apply import Operand, local_partials, operands_of, rule_of, rule_reads_out, simplify
from . import scalar  # noqa: F401  (fills the table)

__all__ = [
    "Rule", "lookup_call", "lookup_operator", "register", "rule_for_object",
    "Operand", "local_partials", "operands_of", "rule_of", "rule_reads_out", "simplify",
]

"""Activity: which variables carry derivatives.

A variable is *active* when it is float-typed, depends on a differentiated
input through differentiable operations (varied) and influences the result
(useful).  The analysis is flow-insensitive, so it over-approximates; inactive
variables never get a ``_dot`` or ``_bar``.
"""

import ast
from dataclasses import dataclass

from ..rules import rule_of, operands_of
from .types import assignments, element_writes, is_float


def diff_reads(expr):
    """Names that ``expr`` reads where a derivative can flow through."""
    if isinstance(expr, ast.Name):
        return {expr.id}
    if isinstance(expr, (ast.Constant, ast.Compare, ast.BoolOp, ast.Attribute)):
        return set()
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
        return set()
    if isinstance(expr, ast.IfExp):
        return diff_reads(expr.body) | diff_reads(expr.orelse)
    if isinstance(expr, ast.Subscript):
        return diff_reads(expr.value)
    if isinstance(expr, ast.Call) and expr.func.id == "len":
        return set()
    rule = rule_of(expr)
    if rule is None:
        return set()
    names = set()
    for index, operand in enumerate(operands_of(expr)):
        # a partial without a closed form still depends on the operand: the build refuses it where active
        if rule.partial_tree(index) is not None or rule.refusal(index) is not None:
            names |= diff_reads(operand)
    return names


@dataclass
class Activity:
    active: set
    varied: set
    useful: set

    def is_active_expr(self, expr, env):
        from .types import type_of
        return is_float(type_of(expr, env)) and bool(diff_reads(expr) & self.active)


def analyze_activity(tree, env, wrt_names, result_names):
    """Active variables: varied by ``wrt_names`` and useful to ``result_names`` (a name or several)."""
    flows = [(name, diff_reads(value) if value is not None else set()) for name, value, _ in assignments(tree)]
    flows += [(name, diff_reads(value)) for name, value, _ in element_writes(tree)]
    varied = {n for n in wrt_names if is_float(env.get(n))}
    changed = True
    while changed:
        changed = False
        for name, reads in flows:
            if name not in varied and is_float(env.get(name)) and reads & varied:
                varied.add(name)
                changed = True
    useful = {result_names} if isinstance(result_names, str) else set(result_names)
    changed = True
    while changed:
        changed = False
        for name, reads in flows:
            if name in useful and not reads <= useful:
                useful |= reads
                changed = True
    active = {n for n in varied & useful if is_float(env.get(n))}
    return Activity(active=active, varied=varied, useful=useful)

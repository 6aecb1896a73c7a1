"""Small builders shared by the transformers."""

import ast
import copy
import os
import sys

from ..analysis import type_of
from ..rules import simplify


class DerivativeNames:
    """``x`` -> ``x_dot`` / ``x_bar``, avoiding names the function already uses."""

    def __init__(self, names):
        self.names = names
        self.memo = {}

    def _get(self, var, suffix):
        key = (var, suffix)
        if key not in self.memo:
            self.memo[key] = self.names.exact(f"{var}_{suffix}")
        return self.memo[key]

    def dot(self, var):
        return self._get(var, "dot")

    def bar(self, var):
        return self._get(var, "bar")


def name(id_, store=False):
    return ast.Name(id_, ast.Store() if store else ast.Load())


def const(value):
    return ast.Constant(value)


def assign(target, value, where):
    target_node = name(target, store=True) if isinstance(target, str) else target
    return located(ast.Assign([target_node], value), where)


def add_to(target, value, where):
    """``target = target + value``: core form, which the renderer prints as ``target += value``."""
    target_node = name(target, store=True) if isinstance(target, str) else target
    read = copy.deepcopy(target_node)
    read.ctx = ast.Load()
    stmt = located(ast.Assign([target_node], ast.BinOp(read, ast.Add(), value)), where)
    stmt.srcad_accumulate = True
    return stmt


def times(a, b, types=None):
    """``a * b``, simplified; ``types`` (an expression's type) keeps int and float apart (see ``simplify``)."""
    return simplify(ast.BinOp(copy.deepcopy(a), ast.Mult(), copy.deepcopy(b)), types)


def total(terms):
    """``t1 + t2 - t3`` from a list of terms (negated terms become subtractions)."""
    if not terms:
        return const(0.0)
    result = terms[0]
    for term in terms[1:]:
        if isinstance(term, ast.UnaryOp) and isinstance(term.op, ast.USub):
            result = ast.BinOp(result, ast.Sub(), term.operand)
        else:
            result = ast.BinOp(result, ast.Add(), term)
    return result


def located(node, where):
    if where is not None:
        ast.copy_location(node, where)
    ast.fix_missing_locations(node)
    return node




def zero_of(type_):
    if type_ == "int":
        return const(0)
    if type_ == "bool":
        return const(False)
    return const(0.0)


def active_partials(operands, active, types=None):
    """(operand name, partial) for the active operands, an operand used twice (``x * x``) merged."""
    merged = {}
    for operand in operands:
        if operand.partial is None or not isinstance(operand.expr, ast.Name) or operand.expr.id not in active:
            continue
        var = operand.expr.id
        if var in merged:
            merged[var] = simplify(ast.BinOp(merged[var], ast.Add(), operand.partial), types)
        else:
            merged[var] = operand.partial
    return list(merged.items())


class _GeneratedVariables:
    """The types of the variables of a program's generated code, as an ``env`` for ``type_of``.

    Primal variables have the types the analysis gave them; a derivative
    (``x_dot``, ``x_bar``, named while the transform runs) has its variable's
    type, and the scratch names of an assignment that reads its target hold
    floats (only float variables are active).
    """

    def __init__(self, program):
        self.program = program
        self.scratch = {program.scratch_out: "float", program.scratch_seed: "float"}

    def get(self, var, default=None):
        env = self.program.analysis.env
        if var in env:
            return env[var]
        if var in self.scratch:
            return self.scratch[var]
        derived = {generated: primal for (primal, _), generated in self.program.deriv.memo.items()}
        return env.get(derived[var], default) if var in derived else default

    def __contains__(self, var):
        return self.get(var) is not None


def expression_types(program):
    """``types(expr)``: the type of an expression of ``program``'s generated code (None when not known)."""
    variables = _GeneratedVariables(program)
    return lambda expr: type_of(expr, variables)


def dump(pass_name, tree):
    """Print ``tree`` to stderr when ``SRCAD_DUMP`` names ``pass_name`` (a comma list, or ``all``)."""
    wanted = {w.strip() for w in os.environ.get("SRCAD_DUMP", "").split(",") if w.strip()}
    if tree is not None and (pass_name in wanted or "all" in wanted):
        print(f"# ---- srcad: {getattr(tree, 'name', '?')} after pass '{pass_name}'\n{ast.unparse(tree)}\n",
              file=sys.stderr)

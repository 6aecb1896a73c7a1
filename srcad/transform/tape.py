"""Tape operations in core form: the markers the adjoint emits and their tangents.

Until the last pass a tape operation is a marker call: ``_srcad_push_f(x)``,
``x = _srcad_pop_f()`` (and ``_i`` for integers), and ``_srcad_forward_end()``
where the forward sweep ends (the vocabulary is the target's, in
:mod:`srcad.backend.tapes`).  A function with markers is core form like any
other, so the tangent transformer reads an adjoint (:func:`tangent_of_marker`).
The target lowers the markers to buffer code as the last pass.
"""

import ast

import numpy as np

from ..backend import allocation
# the target's vocabulary of tape operations, read by the transforms through this module
from ..backend.tapes import (FORWARD_END, POP, PUSH, REPORT, REWIND, TAPE_NAMES, TOP, has_tape_operations,  # noqa: F401
                             is_forward_end, marker, rewinds)
from ..rules.registry import register
from .common import located

# A pop is a value of the tape's type with no operands to differentiate: the tangent of
# what it restores comes off the tape too (tangent_of_marker).
register([], POP + "f", (), (), result="float")
register([], POP + "i", (), (), result="int")
register([], TOP + "f", (), (), result="int")
register([], TOP + "i", (), (), result="int")


def forward_end(where):
    """The marker statement after the forward sweep (where a full tape is noticed)."""
    stmt = located(ast.Expr(ast.Call(ast.Name(FORWARD_END, ast.Load()), [], [])), where)
    stmt.lineno = None
    return stmt


def is_marker(stmt):
    """Is ``stmt`` a push, a pop or the end of the forward sweep?"""
    return any(marker(stmt, prefix) is not None for prefix in (PUSH, POP, FORWARD_END, TOP, REWIND, REPORT)) \
        and isinstance(stmt, (ast.Expr, ast.Assign))


def tangent_of_marker(stmt, active, dot):
    """The tangent of a tape operation: the statements that replace ``stmt``.

    A float push of an active ``x`` pushes ``x`` and then ``x_dot`` on the same
    float tape; the pop that restores ``x`` pops ``x_dot`` first and then ``x``.
    The same tape in reverse order keeps one buffer and one overflow check, and
    the sizes double exactly where the primal's do.  Pushes and pops of the same
    variable agree on whether it is active (activity is per variable), so each
    pop takes back what its push stored.  Integer pushes and pops (branch flags,
    trip counts) and the end of the forward sweep have no tangent.
    """
    kind = marker(stmt, PUSH)
    if kind == "f" and isinstance(stmt, ast.Expr):
        value = stmt.value.args[0]
        if isinstance(value, ast.Name) and value.id in active:
            return [stmt, push(ast.Name(dot(value.id), ast.Load()), "f", stmt)]
        return [stmt]
    kind = marker(stmt, POP)
    if kind == "f" and isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name) \
            and stmt.targets[0].id in active:
        return [pop(dot(stmt.targets[0].id), "f", stmt), stmt]
    return [stmt]


def top(var, kind, where):
    """``var = <where tape kind stands>``."""
    return located(ast.Assign([ast.Name(var, ast.Store())], ast.Call(ast.Name(TOP + kind, ast.Load()), [], [])), where)


def rewind(var, kind, where):
    """Go back on tape ``kind`` to the mark ``var``, forgetting what was pushed since."""
    return located(ast.Expr(ast.Call(ast.Name(REWIND + kind, ast.Load()), [ast.Name(var, ast.Load())], [])), where)


def report(state, offset, where):
    """Leave checkpoint controller ``state``'s report at ``offset`` of the int tape when the sweep ends."""
    call = ast.Call(ast.Name(REPORT, ast.Load()), [ast.Name(state, ast.Load()), ast.Constant(offset)], [])
    stmt = located(ast.Expr(call), where)
    stmt.lineno = None
    return stmt


def push(value, kind, where):
    call = ast.Call(ast.Name(PUSH + kind, ast.Load()), [value], [])
    return located(ast.Expr(call), where)


def pop(var, kind, where):
    call = ast.Call(ast.Name(POP + kind, ast.Load()), [], [])
    return located(ast.Assign([ast.Name(var, ast.Store())], call), where)


def pop_expr(kind):
    return ast.Call(ast.Name(POP + kind, ast.Load()), [], [])


def is_push(node):
    return isinstance(node, ast.Expr) and marker(node, PUSH) is not None


def is_pop(node):
    """Is ``node`` a statement ``x = <pop>``?"""
    return isinstance(node, ast.Assign) and marker(node, POP) is not None


def kind_of(node):
    """The tape ("f" or "i") a push or pop statement uses."""
    return marker(node, PUSH) or marker(node, POP)


def zero_value(type_):
    """An expression of srcad type ``type_`` (a tuple of types for a tuple) whose value is never read."""
    if isinstance(type_, tuple) and not hasattr(type_, "ndim"):
        return ast.Tuple([zero_value(t) for t in type_], ast.Load())
    if hasattr(type_, "ndim"):   # an ArrayType: an empty array of its dtype and ndim
        shape = ast.Tuple([ast.Constant(0)] * type_.ndim, ast.Load())
        return allocation.array("np.zeros", [shape, ast.Name(f"np.{np.dtype(type_.dtype).name}", ast.Load())])
    if type_ == "int":
        return ast.Constant(0)
    if type_ == "bool":
        return ast.Constant(False)
    return ast.Constant(0.0)

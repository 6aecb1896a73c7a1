"""Definite assignment: give every scalar read on a path that may skip its assignment a typed start value.

Generated code reads some variables only where they were assigned, but
through a path Numba cannot follow: a read hoisted out of a loop is guarded by
"the loop runs", and the loop itself then reads it; a result assigned inside
a loop that always returns is read after it.  Python is happy with that;
Numba's type inference is not ("Unsupported assignment ... Undefined").

This pass finds each scalar variable that is read at a point where it is not
assigned on every path from the function's entry, and assigns it a zero of its
type at the top of the function.  The start value is never observed (each such
read really follows an assignment at run time), so no value changes; it only
makes the function well typed.

Example::

    if range_len(0, n, 1) > 0:          _t2 = 0.0
        _t2 = x[0]                      if range_len(0, n, 1) > 0:
    for i in range(n):          ->          _t2 = x[0]
        s = s + _t2                     for i in range(n):
                                            s = s + _t2
"""

import ast

from ..analysis import ArrayType
from .common import assign, zero_of


def _reads(node):
    return [n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]


def _stores(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


class _Walker:
    """Forward walk over structured statements, tracking the names assigned on every path."""

    def __init__(self):
        self.maybe_unassigned = set()

    def read(self, expr, assigned):
        for var in _reads(expr):
            if var not in assigned:
                self.maybe_unassigned.add(var)

    def block(self, stmts, assigned):
        """Names definitely assigned after ``stmts``, given ``assigned`` before; None if the block cannot
        fall through (it returns or breaks on every path)."""
        assigned = set(assigned)
        for stmt in stmts:
            assigned = self.stmt(stmt, assigned)
            if assigned is None:
                return None
        return assigned

    def stmt(self, stmt, assigned):
        if isinstance(stmt, ast.Assign):
            self.read(stmt.value, assigned)
            target = stmt.targets[0]
            if isinstance(target, ast.Name):
                return assigned | {target.id}
            self.read(target, assigned)   # the array and the index of an element write
            return assigned
        if isinstance(stmt, ast.AugAssign):
            self.read(stmt.value, assigned)
            self.read(stmt.target if not isinstance(stmt.target, ast.Name)
                      else ast.Name(stmt.target.id, ast.Load()), assigned)
            return assigned | _stores(stmt.target)
        if isinstance(stmt, ast.If):
            self.read(stmt.test, assigned)
            body = self.block(stmt.body, assigned)
            orelse = self.block(stmt.orelse, assigned)
            if body is None:
                return orelse
            if orelse is None:
                return body
            return body & orelse
        if isinstance(stmt, ast.For):
            self.read(stmt.iter, assigned)
            inner = assigned | _stores(stmt.target)
            self.loop_body(stmt.body, inner)
            return assigned          # the body may run no time
        if isinstance(stmt, ast.While):
            self.read(stmt.test, assigned)
            self.loop_body(stmt.body, assigned)
            return assigned
        if isinstance(stmt, ast.Return):
            if stmt.value is not None:
                self.read(stmt.value, assigned)
            return None
        if isinstance(stmt, (ast.Break, ast.Continue)):
            return None
        self.read(stmt, assigned)
        return assigned

    def loop_body(self, body, assigned):
        # A second pass sees what the first iteration leaves for the next ones: reads of a
        # variable assigned later in the body are fine only if it was assigned before the loop.
        self.block(body, assigned)


def initialize_maybe_unassigned(fn, types):
    """Prepend ``var = 0`` (of the right type) to ``fn`` for scalars read where they may be unassigned.

    ``types`` maps a variable name to its srcad type ("float", "int", "bool" or an
    ``ArrayType``); variables of unknown or array type are left alone.
    """
    params = {a.arg for a in fn.args.args}
    walker = _Walker()
    walker.block(fn.body, params)
    starts = []
    for var in sorted(walker.maybe_unassigned - params):
        type_ = types(var)
        if type_ in ("float", "int", "bool"):
            starts.append(assign(var, zero_of(type_), None))
    if starts:
        for start in starts:
            start.lineno = None   # bookkeeping, not from a source line: no comment
        fn.body[:0] = starts
    return fn


def type_lookup(program):
    """A function giving the type of a variable of ``program``'s generated code, derivatives included."""
    derived = {generated: var for (var, _), generated in program.deriv.memo.items()}

    def lookup(var):
        type_ = program.analysis.env.get(var)
        if type_ is None and var in derived:
            type_ = program.analysis.env.get(derived[var])
            if isinstance(type_, ArrayType) or type_ is None:
                return None
            return "float"
        return type_

    return lookup

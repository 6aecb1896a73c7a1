"""Tape operations: markers the adjoint emits, their tangents, and their lowering to buffer code.

Until the last pass a tape operation is a marker call: ``_srcad_push_f(x)``,
``x = _srcad_pop_f()`` (and ``_i`` for integers), and ``_srcad_forward_end()``
where the forward sweep ends.  A function with markers is core form like any
other, so the tangent transformer reads an adjoint (:func:`tangent_of_marker`).

:func:`lower_function` turns the markers into two stacks, ``_ftape`` (float64)
and ``_itape`` (int64), each a NumPy array with an integer top index.  A push
stores only while there is room and always counts; if the forward sweep ends
with a top past the end, the function returns at once with the sizes it needs
and is run again with tapes that large (the Python caller keeps them for the
next call; :func:`entry_function` does the same for ``@njit`` callers).  Arrays
are never reallocated inside the compiled code, which keeps the pushes cheap.
"""

import ast
import copy

import numpy as np

from ..rules.registry import register
from .common import located

_PUSH = "_srcad_push_"
_POP = "_srcad_pop_"
_RESERVE = "_srcad_reserve"
_FORWARD_END = "_srcad_forward_end"
_TAPES = {"f": ("_ftape", "_ftop"), "i": ("_itape", "_itop")}
TAPE_NAMES = ("_ftape", "_ftop", "_itape", "_itop")

# A pop is a value of the tape's type with no operands to differentiate: the tangent of
# what it restores comes off the tape too (tangent_of_marker).
register([], _POP + "f", (), (), result="float")
register([], _POP + "i", (), (), result="int")


def forward_end(where):
    """The marker statement after the forward sweep (where a full tape is noticed)."""
    stmt = located(ast.Expr(ast.Call(ast.Name(_FORWARD_END, ast.Load()), [], [])), where)
    stmt.lineno = None
    return stmt


def is_forward_end(stmt):
    return isinstance(stmt, ast.Expr) and _marker(stmt, _FORWARD_END) is not None


def is_marker(stmt):
    """Is ``stmt`` a push, a pop or the end of the forward sweep?"""
    return any(_marker(stmt, prefix) is not None for prefix in (_PUSH, _POP, _FORWARD_END)) \
        and isinstance(stmt, (ast.Expr, ast.Assign))


def has_tape_operations(fn):
    """Does ``fn`` push or pop (anywhere, a pop in a branch test included)?"""
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
               and n.func.id.startswith((_PUSH, _POP)) for n in ast.walk(fn))


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
    kind = _marker(stmt, _PUSH)
    if kind == "f" and isinstance(stmt, ast.Expr):
        value = stmt.value.args[0]
        if isinstance(value, ast.Name) and value.id in active:
            return [stmt, push(ast.Name(dot(value.id), ast.Load()), "f", stmt)]
        return [stmt]
    kind = _marker(stmt, _POP)
    if kind == "f" and isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name) \
            and stmt.targets[0].id in active:
        return [pop(dot(stmt.targets[0].id), "f", stmt), stmt]
    return [stmt]


def push(value, kind, where):
    call = ast.Call(ast.Name(_PUSH + kind, ast.Load()), [value], [])
    return located(ast.Expr(call), where)


def pop(var, kind, where):
    call = ast.Call(ast.Name(_POP + kind, ast.Load()), [], [])
    return located(ast.Assign([ast.Name(var, ast.Store())], call), where)


def pop_expr(kind):
    return ast.Call(ast.Name(_POP + kind, ast.Load()), [], [])


def is_push(node):
    return isinstance(node, ast.Expr) and _marker(node, _PUSH) is not None


def is_pop(node):
    """Is ``node`` a statement ``x = <pop>``?"""
    return isinstance(node, ast.Assign) and _marker(node, _POP) is not None


def kind_of(node):
    """The tape ("f" or "i") a push or pop statement uses."""
    return _marker(node, _PUSH) or _marker(node, _POP)


def _marker(node, prefix):
    if isinstance(node, ast.Expr):
        node = node.value
    elif isinstance(node, ast.Assign):
        node = node.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.startswith(prefix):
        return node.func.id[len(prefix):] if prefix != _RESERVE else "r"
    return None


def lower_function(fn, zero_of, always=False):
    """Lower the tape markers of core function ``fn`` to buffer code, in place; True if it has tapes.

    A function with tape operations gets the parameters ``_ftape, _itape``, the
    check after its forward sweep and ``_ftop, _itop`` appended to its result
    tuple; ``zero_of(expr)`` gives a value of ``expr``'s type for the early
    return of that check.  A function without tape operations only loses its
    end-of-forward-sweep marker, unless ``always`` (for callers that pass tapes to every sweep).
    """
    if not always and not has_tape_operations(fn):
        fn.body = [s for s in fn.body if not is_forward_end(s)]
        return False
    ret = fn.body[-1]
    assert isinstance(ret, ast.Return) and isinstance(ret.value, ast.Tuple), "one final return of a tuple"
    tops = [ast.Name(top, ast.Load()) for _, top in _TAPES.values()]
    start = [located(ast.Assign([ast.Name(top, ast.Store())], ast.Constant(0)), fn.body[0])
             for _, top in _TAPES.values()]
    pushes = has_tape_operations(fn)
    body = []
    for stmt in fn.body[:-1]:
        if is_forward_end(stmt) and not pushes:
            continue
        if is_forward_end(stmt):
            early = ast.Return(ast.Tuple([_zero_tree(e, zero_of) for e in ret.value.elts]
                                         + copy.deepcopy(tops), ast.Load()))
            check = located(ast.If(overflowed(), [early], []), stmt)
            for node in ast.walk(check):
                node.lineno = None   # bookkeeping, not from a source line: no comment
            body.append(check)
        else:
            body.extend(_lower(stmt))
    ret.value.elts = ret.value.elts + tops
    fn.body = start + body + [ret]
    fn.args.args = fn.args.args + [ast.arg(tape_) for tape_, _ in _TAPES.values()]
    ast.fix_missing_locations(fn)
    return True


def _zero_tree(expr, zero_of):
    if isinstance(expr, ast.Tuple):
        return ast.Tuple([_zero_tree(e, zero_of) for e in expr.elts], ast.Load())
    return zero_of(expr)


def zero_value(type_):
    """An expression of srcad type ``type_`` (a tuple of types for a tuple) whose value is never read."""
    if isinstance(type_, tuple) and not hasattr(type_, "ndim"):
        return ast.Tuple([zero_value(t) for t in type_], ast.Load())
    if hasattr(type_, "ndim"):   # an ArrayType: an empty array of its dtype and ndim
        shape = ast.Tuple([ast.Constant(0)] * type_.ndim, ast.Load())
        return ast.Call(ast.Name("np.zeros", ast.Load()), [shape, ast.Name(f"np.{np.dtype(type_.dtype).name}",
                                                                             ast.Load())], [])
    if type_ == "int":
        return ast.Constant(0)
    if type_ == "bool":
        return ast.Constant(False)
    return ast.Constant(0.0)


def entry_function(fn, fname):
    """``fname(params)``: taped function ``fn`` run with tapes of its own, returning its (value, derivative).

    It starts with small tapes and runs again with larger ones when a run reports
    that they were too small.
    """
    params = [a.arg for a in fn.args.args if a.arg not in TAPE_NAMES]
    text = f"""
def {fname}({', '.join(params)}):
    _fsize = 1024
    _isize = 256
    while True:
        _value, _derivative, _fneeded, _ineeded = {fn.name}({', '.join(params)}, np.empty(_fsize, np.float64), np.empty(_isize, np.int64))
        if _fneeded <= _fsize and _ineeded <= _isize:
            return (_value, _derivative)
        _fsize = max(_fneeded, 2 * _fsize)
        _isize = max(_ineeded, 2 * _isize)
"""
    entry = ast.parse(text).body[0]
    for node in ast.walk(entry):
        if hasattr(node, "lineno"):
            node.lineno = None
    return entry


def lower(stmts):
    """Replace the tape markers in ``stmts`` by buffer code."""
    out = []
    for stmt in stmts:
        out.extend(_lower(stmt))
    return out


def _lower(stmt):
    if isinstance(stmt, ast.Expr):
        kind = _marker(stmt, _PUSH)
        if kind:
            # A full tape is not grown here: the push is skipped, the top still counts,
            # and the caller runs again with a tape of the size the top reached.
            tape_, top = _TAPES[kind]
            store = ast.Assign([ast.Subscript(ast.Name(tape_, ast.Load()), ast.Name(top, ast.Load()), ast.Store())],
                               stmt.value.args[0])
            room = ast.Compare(ast.Name(top, ast.Load()), [ast.Lt()], [_capacity(tape_)])
            guarded = located(ast.If(room, [located(store, stmt)], []), stmt)
            guarded.srcad_one_line = True
            return [guarded, _bump(top, ast.Add(), stmt)]
    if isinstance(stmt, ast.Assign):
        kind = _marker(stmt, _POP)
        if kind:
            tape_, top = _TAPES[kind]
            load = ast.Assign(stmt.targets, ast.Subscript(ast.Name(tape_, ast.Load()), ast.Name(top, ast.Load()), ast.Load()))
            return [_bump(top, ast.Sub(), stmt), located(load, stmt)]
    if isinstance(stmt, ast.If):
        before = _pop_test(stmt)
        stmt.body, stmt.orelse = lower(stmt.body), lower(stmt.orelse)
        return before + [stmt]
    if isinstance(stmt, (ast.For, ast.While)):
        stmt.body = lower(stmt.body)
    return [stmt]


def _capacity(tape_):
    shape = ast.Attribute(ast.Name(tape_, ast.Load()), "shape", ast.Load())
    return ast.Subscript(shape, ast.Constant(0), ast.Load())


def overflowed():
    """The test, after the forward sweep, that some push did not fit."""
    tests = [ast.Compare(ast.Name(top, ast.Load()), [ast.Gt()], [_capacity(tape_)]) for tape_, top in _TAPES.values()]
    return ast.BoolOp(ast.Or(), tests)


def _pop_test(stmt):
    """For ``if <pop>:``, the statements that pop, with the test rewritten to read the popped entry."""
    kind = _marker(stmt.test, _POP)
    if not kind:
        return []
    tape_, top = _TAPES[kind]
    stmt.test = ast.Subscript(ast.Name(tape_, ast.Load()), ast.Name(top, ast.Load()), ast.Load())
    return [_bump(top, ast.Sub(), stmt)]


def _bump(top, op, where):
    return located(ast.AugAssign(ast.Name(top, ast.Store()), op, ast.Constant(1)), where)

"""Tape operations: markers the adjoint emits, and their lowering to buffer code.

Two stacks, ``_ftape`` (float64) and ``_itape`` (int64), each a NumPy array
with an integer top index.  Pushes are unchecked stores, so capacity is
reserved ahead of them (see :func:`lower`).
"""

import ast

from .common import located

_PUSH = "_srcad_push_"
_POP = "_srcad_pop_"
_RESERVE = "_srcad_reserve"
_TAPES = {"f": ("_ftape", "_ftop"), "i": ("_itape", "_itop")}


def push(value, kind, where):
    call = ast.Call(ast.Name(_PUSH + kind, ast.Load()), [value], [])
    return located(ast.Expr(call), where)


def pop(var, kind, where):
    call = ast.Call(ast.Name(_POP + kind, ast.Load()), [], [])
    return located(ast.Assign([ast.Name(var, ast.Store())], call), where)


def pop_expr(kind):
    return ast.Call(ast.Name(_POP + kind, ast.Load()), [], [])


def _marker(node, prefix):
    if isinstance(node, ast.Expr):
        node = node.value
    elif isinstance(node, ast.Assign):
        node = node.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.startswith(prefix):
        return node.func.id[len(prefix):] if prefix != _RESERVE else "r"
    return None


def _contains_loop(stmt):
    return any(isinstance(node, (ast.For, ast.While)) for node in ast.walk(stmt))


def count_pushes(stmts):
    """Pushes (float, int) that loop-free ``stmts`` can make at most."""
    floats = ints = 0
    for stmt in stmts:
        kind = _marker(stmt, _PUSH) if isinstance(stmt, ast.Expr) else None
        if kind == "f":
            floats += 1
        elif kind == "i":
            ints += 1
        elif isinstance(stmt, ast.If):
            f1, i1 = count_pushes(stmt.body)
            f2, i2 = count_pushes(stmt.orelse)
            floats += max(f1, f2)
            ints += max(i1, i2)
    return floats, ints


def lower(stmts, reserve=True):
    """Replace tape markers in ``stmts`` by buffer code, reserving capacity ahead of the pushes.

    The list is cut into segments by statements that contain loops; each
    segment starts by reserving room for its own pushes.  A ``for`` loop whose
    body contains no loop reserves once for all its iterations (its trip count
    is in the variable named by ``srcad_trips``); other loop bodies reserve
    segment by segment in every iteration.
    """
    out, segment_at = [], 0
    floats = ints = 0    # pushes of the current segment (counted before lowering rewrites them)
    for stmt in stmts:
        if not _contains_loop(stmt):
            f, i = count_pushes([stmt])
            floats, ints = floats + f, ints + i
            out.extend(_lower_plain(stmt))
            continue
        if reserve:
            out[segment_at:segment_at] = _reserve((floats, ints), None, stmt)
        floats = ints = 0
        if isinstance(stmt, ast.For) and not any(_contains_loop(s) for s in stmt.body):
            trips = getattr(stmt, "srcad_trips", None)
            if trips is not None:
                out.extend(_reserve(count_pushes(stmt.body), ast.Name(trips, ast.Load()), stmt))
            stmt.body = lower(stmt.body, reserve=False)
        elif isinstance(stmt, (ast.For, ast.While)):
            stmt.body = lower(stmt.body)
        elif isinstance(stmt, ast.If):
            before = _pop_test(stmt)
            stmt.body, stmt.orelse = lower(stmt.body), lower(stmt.orelse)
            out.extend(before)
        out.append(stmt)
        segment_at = len(out)
    if reserve:
        out[segment_at:segment_at] = _reserve((floats, ints), None, stmts[-1] if stmts else None)
    return out


def _lower_plain(stmt):
    """Lower the markers of a statement that contains no loop."""
    if isinstance(stmt, ast.Expr):
        kind = _marker(stmt, _PUSH)
        if kind:
            tape_, top = _TAPES[kind]
            store = ast.Assign([ast.Subscript(ast.Name(tape_, ast.Load()), ast.Name(top, ast.Load()), ast.Store())],
                               stmt.value.args[0])
            return [located(store, stmt), _bump(top, ast.Add(), stmt)]
    if isinstance(stmt, ast.Assign):
        kind = _marker(stmt, _POP)
        if kind:
            tape_, top = _TAPES[kind]
            load = ast.Assign(stmt.targets, ast.Subscript(ast.Name(tape_, ast.Load()), ast.Name(top, ast.Load()), ast.Load()))
            return [_bump(top, ast.Sub(), stmt), located(load, stmt)]
    if isinstance(stmt, ast.If):
        before = _pop_test(stmt)
        stmt.body = [s for child in stmt.body for s in _lower_plain(child)]
        stmt.orelse = [s for child in stmt.orelse for s in _lower_plain(child)]
        return before + [stmt]
    return [stmt]


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


def _reserve(counts, scale, where):
    out = []
    for kind, count in zip(("f", "i"), counts):
        if count == 0:
            continue
        tape_, top = _TAPES[kind]
        if scale is None:
            amount = ast.Constant(count)
        elif count == 1:
            amount = scale
        else:
            amount = ast.BinOp(ast.Constant(count), ast.Mult(), scale)
        needed = ast.BinOp(ast.Name(top, ast.Load()), ast.Add(), amount)
        call = ast.Call(ast.Name("tape_reserve", ast.Load()), [ast.Name(tape_, ast.Load()), needed], [])
        out.append(located(ast.Assign([ast.Name(tape_, ast.Store())], call), where))
    return out

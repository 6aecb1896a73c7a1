"""Tape operations: markers the adjoint emits, and their lowering to buffer code.

Two stacks, ``_ftape`` (float64) and ``_itape`` (int64), each a NumPy array
with an integer top index.  Pushes are unchecked stores; capacity is reserved
ahead: once for the straight-line code of the function, once before each
``for`` loop for all its iterations, and at the top of each ``while``
iteration, counting the pushes the covered code can make.
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


def reserve(scale, covered, where):
    """Reserve room for ``scale`` times the pushes of statement list ``covered``."""
    node = located(ast.Expr(ast.Call(ast.Name(_RESERVE, ast.Load()), [scale], [])), where)
    node.srcad_counts = count_pushes(covered)
    return node


def _marker(node, prefix):
    if isinstance(node, ast.Expr):
        node = node.value
    elif isinstance(node, ast.Assign):
        node = node.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.startswith(prefix):
        return node.func.id[len(prefix):] if prefix != _RESERVE else "r"
    return None


def count_pushes(stmts):
    """Pushes (float, int) that ``stmts`` can make, not counting inside loops (they reserve for themselves)."""
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


def lower(stmts):
    """Replace tape markers in ``stmts`` by buffer code."""
    out = []
    for stmt in stmts:
        out.extend(_lower_stmt(stmt))
    return out


def _lower_stmt(stmt):
    if isinstance(stmt, ast.Expr):
        kind = _marker(stmt, _PUSH)
        if kind:
            tape_, top = _TAPES[kind]
            store = ast.Assign([ast.Subscript(ast.Name(tape_, ast.Load()), ast.Name(top, ast.Load()), ast.Store())],
                               stmt.value.args[0])
            return [located(store, stmt), _bump(top, ast.Add(), stmt)]
        if _marker(stmt, _RESERVE):
            return _lower_reserve(stmt)
    if isinstance(stmt, ast.Assign):
        kind = _marker(stmt, _POP)
        if kind:
            tape_, top = _TAPES[kind]
            load = ast.Assign(stmt.targets, ast.Subscript(ast.Name(tape_, ast.Load()), ast.Name(top, ast.Load()), ast.Load()))
            return [_bump(top, ast.Sub(), stmt), located(load, stmt)]
    if isinstance(stmt, ast.If):
        before = []
        kind = _marker(stmt.test, _POP)
        if kind:
            tape_, top = _TAPES[kind]
            before.append(_bump(top, ast.Sub(), stmt))
            stmt.test = ast.Subscript(ast.Name(tape_, ast.Load()), ast.Name(top, ast.Load()), ast.Load())
        stmt.body = lower(stmt.body)
        stmt.orelse = lower(stmt.orelse)
        return before + [stmt]
    if isinstance(stmt, (ast.For, ast.While)):
        stmt.body = lower(stmt.body)
    return [stmt]


def _bump(top, op, where):
    return located(ast.AugAssign(ast.Name(top, ast.Store()), op, ast.Constant(1)), where)


def _lower_reserve(stmt):
    floats, ints = stmt.srcad_counts
    scale = stmt.value.args[0]
    out = []
    for kind, count in (("f", floats), ("i", ints)):
        if count == 0:
            continue
        tape_, top = _TAPES[kind]
        if isinstance(scale, ast.Constant) and scale.value == 1:
            amount = ast.Constant(count)
        elif count == 1:
            amount = scale
        else:
            amount = ast.BinOp(ast.Constant(count), ast.Mult(), scale)
        needed = ast.BinOp(ast.Name(top, ast.Load()), ast.Add(), amount)
        call = ast.Call(ast.Name("tape_reserve", ast.Load()), [ast.Name(tape_, ast.Load()), needed], [])
        out.append(located(ast.Assign([ast.Name(tape_, ast.Store())], call), stmt))
    return out

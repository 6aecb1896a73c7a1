"""Tape operations: markers the adjoint emits, and their lowering to buffer code.

Two stacks, ``_ftape`` (float64) and ``_itape`` (int64), each a NumPy array
with an integer top index.  A push stores only while there is room and
always counts; if the forward sweep ends with a top past the end, the
adjoint returns at once with the sizes it needs and is run again with tapes
that large (the Python caller keeps them for the next call).  Arrays are
never reallocated inside the compiled code, which keeps the pushes cheap.
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


def is_push(node):
    return isinstance(node, ast.Expr) and _marker(node, _PUSH) is not None


def _marker(node, prefix):
    if isinstance(node, ast.Expr):
        node = node.value
    elif isinstance(node, ast.Assign):
        node = node.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.startswith(prefix):
        return node.func.id[len(prefix):] if prefix != _RESERVE else "r"
    return None


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

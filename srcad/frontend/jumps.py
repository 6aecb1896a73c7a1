"""Lowering ``break``, ``continue`` and ``return`` into flags.

After the statements are desugared, :func:`lower_jumps` rewrites every jump
into an assignment of a flag (``_break1 = True``, ``_returned = True``) and
guards the statements after it with ``if not flag:``.  :func:`lower_loop`
gives each loop its flags and leaves it only by one exit test ``if flag:
break`` at the end of its body, marked with :func:`~.anno.mark_exit_test`.
A ``return`` becomes an assignment of the result variables; the one real
``return`` is added at the end of the function.

:func:`ends_with_return` asks whether a function's body cannot fall through
to its end.  The functions take the lowering (``normalize._Lowering``) whose
loop stack, names and result variables they use.
"""

import ast

from .anno import is_exit_test, mark_exit_test
from .syntax import at


def lower_jumps(lowering, block, top=False):
    """Rewrite break/continue/return in ``block`` into flags; return (block, flags it may set)."""
    out = []
    for index, stmt in enumerate(block):
        sets = set()
        if is_exit_test(stmt):
            out.append(stmt)   # the exit test of a loop already lowered (an inlined call)
            continue
        if isinstance(stmt, ast.Return):
            if stmt.value is None:
                pass   # the value of a call made as a statement is not kept
            elif isinstance(stmt.value, ast.Tuple):
                for part_name, part in zip(lowering.result_names(), stmt.value.elts):
                    out.append(at(ast.Assign([ast.Name(part_name, ast.Store())], part), stmt))
            else:
                out.append(at(ast.Assign([ast.Name(lowering.result_name, ast.Store())], stmt.value), stmt))
            if top:
                return out, set()
            lowering.used_return_flag = True
            out.append(_flag(lowering.return_flag, True, stmt))
            return out, {lowering.return_flag}
        if isinstance(stmt, ast.Break):
            loop = lowering.loop_stack[-1]
            loop.uses_break = True
            out.append(_flag(loop.break_flag, True, stmt))
            return out, {loop.break_flag}
        if isinstance(stmt, ast.Continue):
            loop = lowering.loop_stack[-1]
            loop.uses_continue = True
            out.append(_flag(loop.continue_flag, True, stmt))
            return out, {loop.continue_flag}
        if isinstance(stmt, ast.If):
            body, s1 = lower_jumps(lowering, stmt.body)
            orelse, s2 = lower_jumps(lowering, stmt.orelse)
            stmt.body, stmt.orelse = body, orelse
            sets = s1 | s2
            out.append(stmt)
        elif isinstance(stmt, (ast.For, ast.While)):
            out.extend(lower_loop(lowering, stmt))
            sets = {lowering.return_flag} if getattr(stmt, "may_return", False) else set()
        else:
            out.append(stmt)
        rest = block[index + 1:]
        if sets and rest:
            rest_lowered, rest_sets = lower_jumps(lowering, rest, top)
            if rest_lowered:
                test = _none_of(sorted(sets), stmt)
                out.append(at(ast.If(test, rest_lowered, []), rest[0]))
            return out, sets | rest_sets
        if sets:
            return out, sets
    return out, set()


def lower_loop(lowering, loop):
    loop.uses_break = loop.uses_continue = False
    loop.break_flag = lowering.names.fresh("_break")
    loop.continue_flag = lowering.names.fresh("_continue")
    lowering.loop_stack.append(loop)
    body, sets = lower_jumps(lowering, loop.body)
    lowering.loop_stack.pop()
    loop.may_return = lowering.return_flag in sets
    exits = [f for f in (loop.break_flag, lowering.return_flag) if f in sets]
    before = []
    if loop.uses_continue:
        body.insert(0, _flag(loop.continue_flag, False, loop))
    if loop.break_flag in sets:
        before.append(_flag(loop.break_flag, False, loop))
    if exits:
        test = _any_of(exits, loop)
        leave = at(ast.If(test, [at(ast.Break(), loop)], []), loop)
        mark_exit_test(leave)
        body.append(leave)
    loop.body = body
    return before + [loop]


def ends_with_return(block):
    if not block:
        return False
    last = block[-1]
    if isinstance(last, (ast.Return, ast.Raise)):
        return True   # a raise leaves the function too
    if isinstance(last, ast.If):
        return ends_with_return(last.body) and ends_with_return(last.orelse)
    # 'while True:' left only by 'return' never falls through to the end of the function
    return isinstance(last, ast.While) and isinstance(last.test, ast.Constant) and bool(last.test.value) \
        and not breaks(last.body)


def breaks(block):
    """Does a ``break`` in ``block`` leave the loop whose body it is (not one nested in it)?"""
    for stmt in block:
        if isinstance(stmt, ast.Break):
            return True
        if isinstance(stmt, ast.If) and (breaks(stmt.body) or breaks(stmt.orelse)):
            return True
    return False


def _flag(name, value, where):
    return at(ast.Assign([ast.Name(name, ast.Store())], ast.Constant(value)), where)


def _any_of(flags, where):
    names = [ast.Name(f, ast.Load()) for f in flags]
    test = names[0] if len(names) == 1 else ast.BoolOp(ast.Or(), names)
    return at(test, where)


def _none_of(flags, where):
    return at(ast.UnaryOp(ast.Not(), _any_of(flags, where)), where)

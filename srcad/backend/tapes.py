"""Tapes on the CPU: the markers of tape operations and their lowering to buffer code.

The transforms emit tape operations as marker calls: ``_srcad_push_f(x)``,
``x = _srcad_pop_f()`` (and ``_i`` for integers), and ``_srcad_forward_end()``
where the forward sweep ends.  :func:`lower_function` turns them into two
stacks, ``_ftape`` (float64) and ``_itape`` (int64), each a NumPy array with
an integer top index.  A push stores only while there is room and always
counts; if the forward sweep ends with a top past the end, the function
returns at once with the sizes it needs, and the caller runs it again with
tapes that large (:meth:`srcad.backend.target.Target.grown_function` in
generated code, :meth:`~srcad.backend.target.Target.run_taped` from Python).
Arrays are never reallocated inside the compiled code, which keeps the pushes
cheap.

A checkpointed loop keeps one iteration on the tapes at a time: ``m =
_srcad_top_f()`` notes where the tape stands and ``_srcad_rewind_f(m)`` goes
back there (``_i`` for the int tape).  A function that rewinds keeps the
highest top reached (``_fpeak``, ``_ipeak``): that is what a full tape is
judged by, and what the run reports.  ``_srcad_report(state)`` before the
return copies a checkpointed loop's controller report (see
:mod:`.schedules`) to the start of the int tape, which is empty by then, so
that the caller can read it.
"""

import ast
import copy



def located(node, where):
    """``node`` with the source position of ``where`` (a statement of the function), for its comment."""
    if where is not None:
        ast.copy_location(node, where)
    ast.fix_missing_locations(node)
    return node


PUSH = "_srcad_push_"
POP = "_srcad_pop_"
RESERVE = "_srcad_reserve"
FORWARD_END = "_srcad_forward_end"
TOP = "_srcad_top_"
REWIND = "_srcad_rewind_"
REPORT = "_srcad_report"
TAPES = {"f": ("_ftape", "_ftop"), "i": ("_itape", "_itop")}
TAPE_NAMES = ("_ftape", "_ftop", "_itape", "_itop")

def is_forward_end(stmt):
    return isinstance(stmt, ast.Expr) and marker(stmt, FORWARD_END) is not None



def rewinds(fn):
    """Does ``fn`` rewind a tape (a checkpointed loop)?"""
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id.startswith(REWIND)
               for n in ast.walk(fn))


def has_tape_operations(fn):
    """Does ``fn`` push or pop (anywhere, a pop in a branch test included)?"""
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
               and n.func.id.startswith((PUSH, POP)) for n in ast.walk(fn))



def marker(node, prefix):
    if isinstance(node, ast.Expr):
        node = node.value
    elif isinstance(node, ast.Assign):
        node = node.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.startswith(prefix):
        return node.func.id[len(prefix):] if prefix != RESERVE else "r"
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
    peaks = rewinds(fn)
    tops = [ast.Name(top, ast.Load()) for _, top in TAPES.values()]
    start = [located(ast.Assign([ast.Name(top, ast.Store())], ast.Constant(0)), fn.body[0])
             for _, top in TAPES.values()]
    if peaks:
        start += [located(ast.Assign([ast.Name(_PEAKS[kind], ast.Store())], ast.Constant(0)), fn.body[0])
                  for kind in TAPES]
    pushes = has_tape_operations(fn)

    def full_tape_check(stmt):
        """The statements that replace the end of a forward sweep: return at once if a tape is full."""
        if not pushes:
            return []
        out = []
        needed = copy.deepcopy(tops)
        if peaks:
            # the forward sweep's highest top: each step of a checkpointed loop was rewound
            for kind, (_, top) in TAPES.items():
                out.append(_bookkeeping(f"{_PEAKS[kind]} = max({_PEAKS[kind]}, {top})", stmt))
            needed = [ast.Name(_PEAKS[kind], ast.Load()) for kind in TAPES]
        early = ast.Return(ast.Tuple([_zero_tree(e, zero_of) for e in ret.value.elts]
                                     + needed, ast.Load()))
        check = located(ast.If(overflowed(peaks), [early], []), stmt)
        for node in ast.walk(check):
            node.lineno = None   # bookkeeping, not from a source line: no comment
        return out + [check]

    body = []
    for stmt in fn.body[:-1]:
        if is_forward_end(stmt) and not pushes:
            continue
        if is_forward_end(stmt):
            body.extend(full_tape_check(stmt))
        else:
            # the end of a derivative's forward sweep can sit inside a block too, where a function being
            # differentiated calls that derivative (inlined): its pops must not run past a full tape either
            body.extend(_lower(stmt, full_tape_check))
    ret.value.elts = ret.value.elts + tops
    fn.body = start + body + [ret]
    fn.args.args = fn.args.args + [ast.arg(tape_) for tape_, _ in TAPES.values()]
    ast.fix_missing_locations(fn)
    return True


def _zero_tree(expr, zero_of):
    if isinstance(expr, ast.Tuple):
        return ast.Tuple([_zero_tree(e, zero_of) for e in expr.elts], ast.Load())
    return zero_of(expr)


def lower(stmts, forward_end=None):
    """Replace the tape markers in ``stmts`` by buffer code; ``forward_end(stmt)``, where given, gives
    the statements that replace an end of a forward sweep."""
    out = []
    for stmt in stmts:
        out.extend(_lower(stmt, forward_end))
    return out


def _bookkeeping(text, where):
    stmt = located(ast.parse(text).body[0], where)
    for node in ast.walk(stmt):
        node.lineno = None
    return stmt


_PEAKS = {"f": "_fpeak", "i": "_ipeak"}
def _lower(stmt, forward_end=None):
    if forward_end is not None and is_forward_end(stmt):
        return forward_end(stmt)
    if isinstance(stmt, ast.Expr):
        kind = marker(stmt, REWIND)
        if kind:
            _, top = TAPES[kind]
            peak = _PEAKS[kind]
            mark = ast.unparse(stmt.value.args[0])
            keep = located(ast.parse(f"if {top} > {peak}: {peak} = {top}").body[0], stmt)
            keep.srcad_one_line = True
            return [keep, located(ast.parse(f"{top} = {mark}").body[0], stmt)]
        if marker(stmt, REPORT) is not None:
            state = ast.unparse(stmt.value.args[0])
            offset = stmt.value.args[1].value
            call = f"checkpoint_report(_itape, {offset}, {state}, {_PEAKS['f']}, {_PEAKS['i']})"
            return [located(ast.parse(call).body[0], stmt)]
    if isinstance(stmt, ast.Assign):
        kind = marker(stmt, TOP)
        if kind:
            return [located(ast.Assign(stmt.targets, ast.Name(TAPES[kind][1], ast.Load())), stmt)]
    if isinstance(stmt, ast.Expr):
        kind = marker(stmt, PUSH)
        if kind:
            # A full tape is not grown here: the push is skipped, the top still counts,
            # and the caller runs again with a tape of the size the top reached.
            tape_, top = TAPES[kind]
            store = ast.Assign([ast.Subscript(ast.Name(tape_, ast.Load()), ast.Name(top, ast.Load()), ast.Store())],
                               stmt.value.args[0])
            room = ast.Compare(ast.Name(top, ast.Load()), [ast.Lt()], [_capacity(tape_)])
            guarded = located(ast.If(room, [located(store, stmt)], []), stmt)
            guarded.srcad_one_line = True
            return [guarded, _bump(top, ast.Add(), stmt)]
    if isinstance(stmt, ast.Assign):
        kind = marker(stmt, POP)
        if kind:
            tape_, top = TAPES[kind]
            load = ast.Assign(stmt.targets, ast.Subscript(ast.Name(tape_, ast.Load()), ast.Name(top, ast.Load()), ast.Load()))
            return [_bump(top, ast.Sub(), stmt), located(load, stmt)]
    if isinstance(stmt, ast.If):
        before = _pop_test(stmt)
        stmt.body, stmt.orelse = lower(stmt.body, forward_end), lower(stmt.orelse, forward_end)
        return before + [stmt]
    if isinstance(stmt, (ast.For, ast.While)):
        stmt.body = lower(stmt.body, forward_end)
    return [stmt]


def _capacity(tape_):
    shape = ast.Attribute(ast.Name(tape_, ast.Load()), "shape", ast.Load())
    return ast.Subscript(shape, ast.Constant(0), ast.Load())


def overflowed(peaks=False):
    """The test, after the forward sweep, that some push did not fit (judged by the peaks where rewound)."""
    tests = [ast.Compare(ast.Name(_PEAKS[kind] if peaks else top, ast.Load()), [ast.Gt()], [_capacity(tape_)])
             for kind, (tape_, top) in TAPES.items()]
    return ast.BoolOp(ast.Or(), tests)


def _pop_test(stmt):
    """For ``if <pop>:``, the statements that pop, with the test rewritten to read the popped entry."""
    kind = marker(stmt.test, POP)
    if not kind:
        return []
    tape_, top = TAPES[kind]
    stmt.test = ast.Subscript(ast.Name(tape_, ast.Load()), ast.Name(top, ast.Load()), ast.Load())
    return [_bump(top, ast.Sub(), stmt)]


def _bump(top, op, where):
    return located(ast.AugAssign(ast.Name(top, ast.Store()), op, ast.Constant(1)), where)

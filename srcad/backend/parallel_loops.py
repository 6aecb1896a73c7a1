"""The parallel target's loops: the user's ``prange`` loops, run in parallel where the generated code allows.

The frontend reads ``prange`` as ``range`` and notes the loop's line
(:attr:`srcad.frontend.source.SourceMap.parallel_lines`).  Every transform
then writes the loop as a serial one; the tangent's loop and the forward
sweep's loop keep the line.  :func:`parallelize` turns such a generated loop
into a ``prange`` loop when its iterations are independent in the generated
code itself, which it checks rather than assumes:

- every scalar the body assigns is assigned before it is read in the same
  iteration (nothing is carried from one iteration to the next, so there is
  no reduction whose order could change the sum);
- every array the body writes is read and written only at elements whose
  index holds the loop variable itself, at one position (iterations touch
  disjoint elements), and is not passed anywhere whole;
- the body makes no array (Numba would hoist it out of the loop and share it
  between threads), does not leave the loop early, and pushes to the tapes
  only at its top level, a fixed number of entries an iteration.

The pushes of iteration ``i`` then go to the slots ``start + k * i + j`` that
the serial run would have given them, so the tapes, and with them the
reverse sweep, are the serial run's, bit for bit.  The reverse sweep itself
stays serial: its adjoints accumulate into shared places.

Scalars the body assigns and the code after the loop reads (the reverse
sweep reads the last iteration's values) take the serial run's values too:
the loop runs all iterations but the last in parallel, under private names,
and the last one serially after it.

Any other loop is left as it was: serial, and right.
"""

import ast
import copy

from . import allocation
from .tapes import TAPES

_TAPE_NAMES = {"_ftape", "_ftop", "_itape", "_itop", "_fpeak", "_ipeak"}


def parallelize(fn, parallel_lines, names):
    """Write the independent loops of generated function ``fn`` from ``parallel_lines`` as ``prange`` loops,
    in place; True if any was.  ``names`` (a :class:`srcad.frontend.names.NameSource`) gives new names."""
    if not parallel_lines:
        return False
    done = []

    def visit(block):
        out = []
        for stmt in block:
            plan = _plan(stmt, fn, parallel_lines) if isinstance(stmt, ast.For) else None
            if plan is not None:
                out.extend(_rewrite(stmt, plan, names))
                done.append(stmt)
                continue
            for field in ("body", "orelse"):
                inner = getattr(stmt, field, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                    setattr(stmt, field, visit(inner))
            out.append(stmt)
        return out

    fn.body = visit(fn.body)
    ast.fix_missing_locations(fn)
    return bool(done)


def uses_prange(fn):
    """Does generated function ``fn`` have a ``prange`` loop?"""
    return any(isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "prange"
               for node in ast.walk(fn))


class _Plan:
    """What :func:`_rewrite` needs to know of a loop found independent."""

    def __init__(self, start, stop, pushes, live_out):
        self.start = start          # the range's bounds (step 1)
        self.stop = stop
        self.pushes = pushes        # {index in the body: (kind, slot in the iteration, index of the assignment
                                    #   of a carried push's value, or None)}
        self.live_out = live_out    # scalars of the body that code after the loop reads


def _plan(loop, fn, parallel_lines):
    """A :class:`_Plan` if ``loop`` is a user's ``prange`` loop whose iterations are independent, else None."""
    if getattr(loop, "lineno", None) not in parallel_lines or loop.orelse or not isinstance(loop.target, ast.Name):
        return None
    bounds = _unit_range(loop.iter)
    if bounds is None:
        return None
    variable = loop.target.id
    assigned = _assigned(loop) - _TAPE_NAMES   # the pushes are rewritten below
    pushes, counts = {}, {kind: 0 for kind in TAPES}
    for index in range(len(loop.body)):
        kind = _push_kind(loop.body, index)
        if kind:
            pushes[index] = (kind, counts[kind], _carried_push(loop.body, index, assigned))
            counts[kind] += 1
    bumps = {index + 1 for index in pushes}
    # what the iteration reads, in order: a carried push's value is not read where it is pushed
    order = [ast.Expr(stmt.body[0].value) if index in pushes else stmt for index, stmt in enumerate(loop.body)
             if index not in bumps and not (index in pushes and pushes[index][2] is not None)]
    for stmt in order:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and node.id in _TAPE_NAMES:
                return None   # a tape operation in a branch or an inner loop, or a pop
            if isinstance(node, (ast.Return, ast.Break, ast.Continue)) or allocation.is_allocation(node):
                return None
    if any(isinstance(n, ast.Name) and n.id in assigned for arg in bounds for n in ast.walk(arg)):
        return None
    defined = _defined_in_order(order, {variable}, assigned)
    if defined is None:
        return None   # a scalar carried from one iteration to the next
    if not _arrays_independent(loop, variable, assigned):
        return None
    live_out = {name for name in assigned if _live_after(fn, loop, name)}
    if not live_out <= defined:
        return None   # the last iteration might not assign it
    return _Plan(bounds[0], bounds[1], pushes, live_out)


def _carried_push(body, index, assigned):
    """For the push at ``body[index]`` of a name's value that the iteration assigns later (the value of the
    iteration before), the index of the one statement that assigns it; None for any other push.  The
    iteration before writes such a value to this iteration's slot, where it assigns it."""
    value = body[index].body[0].value
    if not (isinstance(value, ast.Name) and value.id in assigned):
        return None
    stores = [node for stmt in body for node in ast.walk(stmt)
              if isinstance(node, ast.Name) and node.id == value.id and isinstance(node.ctx, ast.Store)]
    later = [k for k in range(index + 2, len(body)) if isinstance(body[k], ast.Assign)
             and len(body[k].targets) == 1 and isinstance(body[k].targets[0], ast.Name)
             and body[k].targets[0].id == value.id]
    if len(stores) != 1 or len(later) != 1:
        return None
    return later[0]


def _unit_range(call):
    """(start, stop) of ``range(stop)``, ``range(start, stop)`` or ``range(start, stop, 1)``; else None."""
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "range"
            and not call.keywords and 1 <= len(call.args) <= 3):
        return None
    args = call.args
    if len(args) == 3 and not (isinstance(args[2], ast.Constant) and args[2].value == 1):
        return None
    if len(args) == 1:
        return ast.Constant(0), args[0]
    return args[0], args[1]


def _push_kind(body, index):
    """'f' or 'i' if ``body[index:index + 2]`` is a lowered push (guarded store, then the top's bump)."""
    if index + 1 >= len(body):
        return None
    guard, bump = body[index], body[index + 1]
    for kind, (tape, top) in TAPES.items():
        if (isinstance(guard, ast.If) and not guard.orelse and len(guard.body) == 1
                and ast.unparse(guard.test) == f"{top} < {tape}.shape[0]"
                and isinstance(guard.body[0], ast.Assign)
                and ast.unparse(guard.body[0].targets[0]) == f"{tape}[{top}]"
                and isinstance(bump, ast.AugAssign) and ast.unparse(bump) == f"{top} += 1"):
            return kind
    return None


def _assigned(loop):
    """The names that ``loop`` (its variable and body) assigns."""
    names = set()
    for node in ast.walk(loop):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _defined_in_order(block, defined, assigned):
    """The names of ``assigned`` that ``block`` surely assigns, given ``defined`` before it; None if it reads
    one before assigning it (in the iteration: a value carried from the one before)."""
    defined = set(defined)
    for stmt in block:
        if isinstance(stmt, (ast.For, ast.While)):
            if _reads_undefined(stmt.iter if isinstance(stmt, ast.For) else stmt.test, defined, assigned):
                return None
            inner = set(defined)
            if isinstance(stmt, ast.For):
                inner |= {n.id for n in ast.walk(stmt.target) if isinstance(n, ast.Name)}
            if _defined_in_order(stmt.body, inner, assigned) is None:
                return None
            # the loop may run no iteration: what it assigns is not surely assigned after it
        elif isinstance(stmt, ast.If):
            if _reads_undefined(stmt.test, defined, assigned):
                return None
            then = _defined_in_order(stmt.body, defined, assigned)
            other = _defined_in_order(stmt.orelse, defined, assigned)
            if then is None or other is None:
                return None
            defined = then & other
        else:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] \
                if isinstance(stmt, ast.AugAssign) else []
            value = stmt.value if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.Expr)) else stmt
            if _reads_undefined(value, defined, assigned):
                return None
            if isinstance(stmt, ast.AugAssign) and _reads_undefined(stmt.target, defined, assigned, stores=True):
                return None
            for target in targets:
                if not isinstance(target, ast.Name) and _reads_undefined(target, defined, assigned, stores=True):
                    return None
                defined |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name) and isinstance(target, (ast.Name, ast.Tuple))}
    return defined


def _reads_undefined(expr, defined, assigned, stores=False):
    """Does ``expr`` read a name of ``assigned`` not in ``defined``?  With ``stores``, an element write's
    array and index count as read."""
    for node in ast.walk(expr):
        if isinstance(node, ast.Name) and node.id in assigned and node.id not in defined:
            if isinstance(node.ctx, ast.Load) or stores:
                return True
    return False


def _arrays_independent(loop, variable, assigned):
    """Do the iterations of ``loop`` touch disjoint elements of every array it writes?"""
    written = {node.value.id for node in ast.walk(loop)
               if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store)
               and isinstance(node.value, ast.Name)}
    written -= {"_ftape", "_itape"}
    if written & assigned:
        return False   # a name bound in the loop (a view, say) and written through
    positions = {}
    parents = {child: node for node in ast.walk(loop) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(loop):
        if not (isinstance(node, ast.Name) and node.id in written):
            continue
        parent = parents.get(node)
        if isinstance(parent, ast.Attribute) and parent.attr == "shape":
            continue
        if not (isinstance(parent, ast.Subscript) and parent.value is node):
            return False   # the whole array, passed or bound elsewhere
        index = parent.slice.elts if isinstance(parent.slice, ast.Tuple) else [parent.slice]
        at = [k for k, part in enumerate(index) if isinstance(part, ast.Name) and part.id == variable]
        if not at or positions.setdefault(node.id, at[0]) != at[0]:
            return False
    return True


def _live_after(fn, loop, name):
    """May code after ``loop`` read the value ``name`` has when the loop ends?"""
    inside = {id(node) for node in ast.walk(loop)}
    if not any(isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)
               and id(node) not in inside for node in ast.walk(fn)):
        return False
    for block, index, owner in reversed(_path_to(fn.body, loop)):
        found = _first_use(block[index + 1:], name)
        if found is not None:
            return found
        if isinstance(owner, (ast.For, ast.While)):
            return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(owner))   # the next iteration
    return False


def _path_to(block, target, owner=None):
    """[(block, index, the statement that owns the block)] from ``block`` down to statement ``target``."""
    for index, stmt in enumerate(block):
        if stmt is target:
            return [(block, index, owner)]
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                found = _path_to(inner, target, stmt)
                if found:
                    return [(block, index, owner)] + found
    return []


def _reads(node, name):
    return any(isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load) for n in ast.walk(node))


def _first_use(stmts, name):
    """True if ``stmts`` may read ``name`` before assigning it, False if they surely assign it (or return)
    first, None if neither."""
    for stmt in stmts:
        if isinstance(stmt, ast.If):
            if _reads(stmt.test, name):
                return True
            then, other = _first_use(stmt.body, name), _first_use(stmt.orelse, name)
            if then or other:
                return True
            if then is False and other is False:
                return False
        elif isinstance(stmt, (ast.For, ast.While)):
            head = stmt.iter if isinstance(stmt, ast.For) else stmt.test
            if _reads(head, name):
                return True
            inner = list(stmt.body)
            if isinstance(stmt, ast.For):
                inner = [ast.Assign([stmt.target], ast.Constant(0))] + inner
            if _first_use(inner, name) or _first_use(stmt.orelse, name):
                return True
            # the loop may run no iteration: it does not surely assign
        elif isinstance(stmt, ast.Return):
            return stmt.value is not None and _reads(stmt.value, name)
        elif isinstance(stmt, ast.Assign):
            if _reads(stmt.value, name) or any(not isinstance(t, ast.Name) and _reads(t, name) for t in stmt.targets):
                return True
            if any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets):
                return False
        elif _reads(stmt, name) or isinstance(stmt, ast.AugAssign) and ast.unparse(stmt.target) == name:
            return True
    return None


def _rewrite(loop, plan, names):
    """The statements that replace ``loop``: the tapes' bases, the parallel loop, the last iteration if
    scalars are read after it, the tapes' tops."""
    variable = loop.target.id
    counts = {kind: sum(1 for k, _, _ in plan.pushes.values() if k == kind) for kind in TAPES}
    bases = {kind: names.fresh(f"_{kind}base") for kind in TAPES if counts[kind]}
    slots = {kind: names.fresh(f"_{kind}slot") for kind in bases}
    start, stop = ast.unparse(plan.start), ast.unparse(plan.stop)
    offset = variable if start == "0" else f"({variable} - {start})"

    def slot(kind, at):
        return slots[kind] if at == 0 else f"{slots[kind]} + {at}"

    before = [_line(f"{bases[kind]} = {TAPES[kind][1]}", loop) for kind in bases]
    carried = {assignment: (kind, at, loop.body[index].body[0].value.id)
               for index, (kind, at, assignment) in plan.pushes.items() if assignment is not None}
    for kind, at, name in carried.values():
        # the first iteration's entry: the value before the loop
        tape = TAPES[kind][0]
        first = bases[kind] if at == 0 else f"{bases[kind]} + {at}"
        before.append(_line(f"if {stop} > {start} and {first} < {tape}.shape[0]: {tape}[{first}] = {name}", loop))
        before[-1].srcad_one_line = True

    def body_of(renamed):
        body = [_line(f"{slots[kind]} = {bases[kind]} + {counts[kind]} * {offset}", None)
                if counts[kind] > 1 else _line(f"{slots[kind]} = {bases[kind]} + {offset}", None) for kind in bases]
        bumps = {index + 1 for index in plan.pushes}
        for index, stmt in enumerate(loop.body):
            if index in bumps:
                continue
            if index in plan.pushes:
                kind, at, assignment = plan.pushes[index]
                if assignment is None:
                    tape = TAPES[kind][0]
                    value = ast.unparse(stmt.body[0].value)
                    body.append(_line(f"if {slot(kind, at)} < {tape}.shape[0]: {tape}[{slot(kind, at)}] = {value}",
                                      stmt))
                    body[-1].srcad_one_line = True
                continue
            body.append(copy.deepcopy(stmt))
            if index in carried:
                # the value this iteration leaves is the one the next iteration pushes: its entry
                kind, at, name = carried[index]
                tape = TAPES[kind][0]
                entry = slot(kind, at + counts[kind])
                body.append(_line(f"if {variable} + 1 < {stop} and {entry} < {tape}.shape[0]: "
                                  f"{tape}[{entry}] = {name}", stmt))
                body[-1].srcad_one_line = True
        if renamed:
            _rename(body, renamed)
        return body

    trips = f"range_len({start}, {stop}, 1)"
    after = [_line(f"{TAPES[kind][1]} = {bases[kind]} + "
                   f"{(str(counts[kind]) + ' * ') if counts[kind] > 1 else ''}{trips}", loop) for kind in bases]
    if not plan.live_out:
        parallel = ast.For(ast.Name(variable, ast.Store()), _prange(plan.start, plan.stop), body_of({}), [], None)
        return before + [ast.copy_location(parallel, loop)] + after
    # all iterations but the last in parallel, with private names for what is read after the loop
    renamed = {name: names.fresh(f"{name}_each") for name in sorted(plan.live_out)}
    last = ast.BinOp(copy.deepcopy(plan.stop), ast.Sub(), ast.Constant(1))
    parallel = ast.For(ast.Name(renamed.get(variable, variable), ast.Store()), _prange(plan.start, last),
                       body_of(renamed), [], None)
    final = ast.If(ast.Compare(copy.deepcopy(plan.stop), [ast.Gt()], [copy.deepcopy(plan.start)]),
                   [_line(f"{variable} = {ast.unparse(last)}", loop)] + body_of({}), [])
    return before + [ast.copy_location(parallel, loop), ast.copy_location(final, loop)] + after


def _prange(start, stop):
    args = [copy.deepcopy(stop)] if _is_zero(start) else [copy.deepcopy(start), copy.deepcopy(stop)]
    return ast.Call(ast.Name("prange", ast.Load()), args, [])


def _is_zero(expr):
    return isinstance(expr, ast.Constant) and expr.value == 0


def _rename(stmts, renamed):
    for stmt in stmts:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and node.id in renamed:
                node.id = renamed[node.id]


def _line(text, where):
    """Statement ``text`` under the comment of statement ``where`` (none if None: bookkeeping)."""
    stmt = ast.parse(text).body[0]
    for node in ast.walk(stmt):
        if where is None:
            node.lineno = None
        else:
            ast.copy_location(node, where)
    return stmt

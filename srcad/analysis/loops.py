"""Loops: what each loop of a core-form function carries from one iteration to the next.

Reverse mode and its loop strategies ask three things of a loop:

- which bounds are known when the loop is entered and keep their value for the
  whole call (then the reverse sweep evaluates them again instead of recording
  them): :func:`stable`, over the names of :func:`fixed_names` and
  :func:`sized_once`;
- what state the iterations carry (:class:`LoopInfo`): the scalars an
  iteration reads before it assigns them, and the arrays whose elements it
  writes and reads — exactly what a checkpoint of the loop must hold;
- whether the iterations carry only reductions (``s = s + e`` with ``s`` read
  nowhere else in the loop), which a forward-running adjoint can gather.

>>> import ast
>>> tree = ast.parse("def f(x, n):\\n    s = 0.0\\n    for i in range(n):\\n        s = s + x[i] * x[i]\\n"
...                  "    return s").body[0]
>>> info = analyze_loops(tree, {"x": "array", "s": "float", "n": "int", "i": "int"})[0]
>>> sorted(info.carried_scalars), info.reductions_only
(['s'], True)
"""

import ast
from dataclasses import dataclass, field

from ..frontend.anno import is_exit_test
from .types import is_element_write


@dataclass
class LoopInfo:
    """One ``for`` or ``while`` loop of a function and the state its iterations carry."""

    node: ast.stmt
    index: str = None                          # the loop variable of a ``for`` over ``range``
    carried_scalars: set = field(default_factory=set)
    carried_arrays: set = field(default_factory=set)
    written: set = field(default_factory=set)  # every name the body assigns
    reductions_only: bool = False
    exits_early: bool = False                  # a ``break`` or ``return`` may leave it

    @property
    def carried(self):
        """Everything a snapshot of the loop holds: carried scalars and arrays."""
        return self.carried_scalars | self.carried_arrays


def analyze_loops(tree, env):
    """A :class:`LoopInfo` for every loop of function ``tree``, outermost first, in source order.

    ``env`` maps names to their srcad types (an array type has ``ndim``)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.For, ast.While)):
            found.append(_info(node, env))
    return found


def _info(loop, env):
    index = loop.target.id if isinstance(loop, ast.For) and isinstance(loop.target, ast.Name) else None
    definite, written, exposed = set(), set(), set()
    _exposed_reads(loop.body, definite, written, exposed)
    if isinstance(loop, ast.While):
        exposed |= _loads(loop.test)   # the test reads what the previous iteration left
    element_written = {s.targets[0].value.id for s in ast.walk(loop) if isinstance(s, ast.Assign)
                       and is_element_write(s) and isinstance(s.targets[0].value, ast.Name)}
    read = _loads(loop)
    scalars = {n for n in written & exposed if not hasattr(env.get(n), "ndim") and n != index}
    arrays = {n for n in element_written | (written & exposed) if hasattr(env.get(n), "ndim") and n in read}
    return LoopInfo(node=loop, index=index, carried_scalars=scalars, carried_arrays=arrays, written=written,
                    reductions_only=not arrays and all(_only_accumulated(loop, s) for s in scalars),
                    exits_early=_exits(loop.body))


def _loads(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _exposed_reads(stmts, definite, written, exposed):
    """Add to ``exposed`` the names ``stmts`` may read before assigning them; to ``definite`` the names
    they surely assign, to ``written`` those they may assign."""
    for stmt in stmts:
        if isinstance(stmt, ast.If):
            exposed |= _loads(stmt.test) - definite
            body, orelse = set(definite), set(definite)
            _exposed_reads(stmt.body, body, written, exposed)
            _exposed_reads(stmt.orelse, orelse, written, exposed)
            definite |= body & orelse
        elif isinstance(stmt, (ast.For, ast.While)):
            header = stmt.test if isinstance(stmt, ast.While) else stmt.iter
            exposed |= _loads(header) - definite
            if isinstance(stmt, ast.For):
                written |= {n.id for n in ast.walk(stmt.target) if isinstance(n, ast.Name)}
            _exposed_reads(stmt.body, set(definite), written, exposed)   # the body may not run
        else:
            exposed |= _loads(stmt) - definite
            for node in ast.walk(stmt):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    definite.add(node.id)
                    written.add(node.id)


def _only_accumulated(loop, name):
    """Is ``name`` read in ``loop`` only as ``name = name + e`` (``e`` free of ``name``)?"""
    for node in ast.walk(loop):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and node.targets[0].id == name:
            value = node.value
            if not (isinstance(value, ast.BinOp) and isinstance(value.op, (ast.Add, ast.Sub))
                    and isinstance(value.left, ast.Name) and value.left.id == name and name not in _loads(value.right)):
                return False
    reads = sum(1 for n in ast.walk(loop) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load))
    updates = sum(1 for n in ast.walk(loop) if isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name)
                  and n.targets[0].id == name)
    return reads == updates


def _exits(stmts):
    for stmt in stmts:
        if isinstance(stmt, (ast.Break, ast.Return)) or is_exit_test(stmt):
            return True
        if isinstance(stmt, ast.If) and (_exits(stmt.body) or _exits(stmt.orelse)):
            return True
    return False


# names whose values the reverse sweep can read again ---------------------------------------
def sized_once(tree):
    """Parameters never assigned, and variables assigned once, at the top level of function ``tree``:
    an array among them keeps its size for the whole call, even where its elements change."""
    stores = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
    params = {a.arg for a in tree.args.args}
    once = {s.targets[0].id for s in tree.body if isinstance(s, ast.Assign) and not is_element_write(s)
            and stores.count(s.targets[0].id) == 1}
    return {p for p in params if p not in stores} | once


def fixed_names(tree, recorded):
    """Variables with one value for the whole call: those assigned at most once (see
    :func:`sized_once`) to a value that is never pushed back (not in ``recorded``), arrays none
    of whose elements are written."""
    written = {n.value.id for n in ast.walk(tree) if isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store)}
    return sized_once(tree) - written - recorded


def stable(expr, fixed, sized, enclosing):
    """Does int expression ``expr`` have the same value in the reverse sweep as where the forward sweep
    computes it?  It may read ``fixed`` names, the indices of the ``enclosing`` loops (the reverse sweep
    runs them again) and the sizes of ``sized`` arrays (fixed even where their elements change)."""
    sizes = {id(n.value) for n in ast.walk(expr) if isinstance(n, ast.Attribute) and n.attr == "shape"}
    sizes |= {id(n.args[0]) for n in ast.walk(expr) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
              and n.func.id == "len" and n.args}
    functions = {id(n.func) for n in ast.walk(expr) if isinstance(n, ast.Call)}
    return all(n.id in fixed or n.id in enclosing or id(n) in sizes and n.id in sized
               for n in ast.walk(expr) if isinstance(n, ast.Name) and id(n) not in functions)


def snapshot_state(body, env, test=None, exclude=()):
    """What a snapshot taken at the start of an iteration of ``body`` must hold: (scalars, arrays), sorted.

    A name belongs to it when the iteration may read it before assigning it (``test``, a ``while`` loop's
    test, is read first) and some iteration assigns it or writes its elements.  ``body`` is the loop's
    recording body, so that a value pushed before it is overwritten counts as read.  An array whose
    elements are written counts as read (its other elements are kept).
    """
    definite, written, exposed = set(), set(), set()
    if test is not None:
        exposed |= _loads(test)
    _exposed_reads(body, definite, written, exposed)
    element_written = {s.targets[0].value.id for stmt in body for s in ast.walk(stmt) if isinstance(s, ast.Assign)
                       and is_element_write(s) and isinstance(s.targets[0].value, ast.Name)}
    state = (written | element_written) & exposed - set(exclude)
    arrays = sorted(n for n in state if hasattr(env.get(n), "ndim"))
    scalars = sorted(n for n in state if not hasattr(env.get(n), "ndim"))
    return scalars, arrays

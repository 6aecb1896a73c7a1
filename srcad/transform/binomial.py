"""Binomial checkpointing: a loop strategy that reverses a long loop with a bounded tape.

:class:`Binomial` assembles a loop's parts (see :mod:`.loops`) so that the
tapes hold one iteration at a time, and at most ``s`` snapshots of the state
the iterations carry (:func:`srcad.analysis.loops.snapshot_state`) are kept
in buffers of ``s`` rows.

The forward sweep runs the loop recording each iteration and rewinding the
tapes before the next, so that only the last iteration stays recorded; at the
start of the iterations the controller picks (:mod:`srcad.backend.schedules`)
it copies the carried state into a row.

The reverse sweep takes the iterations from the last to the first.  For each
one but the last it restores the latest snapshot before it, runs the primal
body forward to it (storing new snapshots where the binomial schedule says),
records that one iteration, and then, like store-all, runs its adjoint.

Each body form appears once in the reverse sweep: the advance (the primal
body), the record and the adjoint of one iteration.  The generated source
reads as the schedule: restore, advance, take, record, reverse.
"""

import ast
import copy

from ..analysis import ArrayType
from ..analysis.loops import snapshot_state
from ..backend import allocation
from ..backend.schedules import RUNTIME
from ..errors import UnsupportedError
from . import tape
from .common import add_to, assign, const, located, name
from .loops import _plus, range_call, times
from ..rules.registry import register

# The controller's calls are int-valued primitives without derivatives, so that an adjoint with a
# checkpointed loop is core form that the tangent transformer reads (Hessians, jvp of grad).
for _helper in RUNTIME[:-1]:    # not checkpoint_report, which only the lowering of tapes writes
    register([], _helper, ("state", "a", "b", "c"), (None, None, None, None), result="count")


class Binomial:
    """Reverse a loop by binomial checkpointing with ``snapshots`` rows, or, when ``snapshots`` is None,
    with as many as half of ``budget`` bytes holds (``checkpoint="auto"``)."""

    def __init__(self, snapshots=None, budget=None, env=None, where=None):
        self.snapshots = snapshots
        self.budget = budget
        self.env = env or {}
        self.where = where            # source_map.where, for refusals
        self.states = []              # the controller variable of each checkpointed loop

    def assemble(self, parts, fresh):
        """(forward sweep statements, reverse sweep statements) of the loop ``parts``."""
        stmt, loop = parts.stmt, parts.loop_id
        exclude = {parts.index, parts.trips} | {n.targets[0].id for n in parts.record.body[:1]
                                                if isinstance(n, ast.Assign) and n not in parts.step_body}
        scalars, arrays = snapshot_state(parts.step_body, self.env, parts.test, exclude - {None})
        self._check_types(scalars, stmt)
        n = _Names(fresh, loop)
        known = parts.index is not None and not parts.exits
        forward = list(parts.before)
        if known:
            forward.append(assign(n.steps, ast.Call(name("range_len"), [copy.deepcopy(parts.start),
                                                                       copy.deepcopy(parts.stop),
                                                                       copy.deepcopy(parts.step)], []), stmt))
        trips_at_entry = name(n.steps) if known else const(-1)
        requested = const(self.snapshots) if self.snapshots is not None else const(-int(self.budget))
        forward.append(assign(n.bytes, self._snapshot_bytes(scalars, arrays), stmt))
        forward.append(assign(n.snaps, ast.Call(name("checkpoint_snapshots"),
                                                [requested, name(n.bytes), copy.deepcopy(trips_at_entry)], []),
                              stmt))
        size = ast.Call(name("checkpoint_size"), [name(n.snaps)], [])
        forward.append(assign(n.state, allocation.array("np.zeros", [size, name("np.int64")]), stmt))
        forward.append(assign(n.snaps, ast.Call(name("checkpoint_begin"),
                                                [name(n.state), name(n.snaps), copy.deepcopy(trips_at_entry),
                                                 name(n.bytes)], []),
                              stmt))
        buffers = {var: n.buffer(var) for var in scalars + arrays}
        for var in scalars + arrays:
            forward.append(assign(buffers[var], self._buffer(var, n.snaps), stmt))
        forward += [tape.top(n.fmark, "f", stmt), tape.top(n.imark, "i", stmt), assign(n.step, const(0), stmt)]
        record = copy.copy(parts.record)
        take = ast.Call(name("checkpoint_forward"), [name(n.state), name(n.step)], [])
        record.body = [tape.rewind(n.fmark, "f", stmt), tape.rewind(n.imark, "i", stmt),
                       assign(n.row, take, stmt),
                       located(ast.If(_at_least_zero(n.row), self._save(scalars, arrays, buffers, n, stmt), []), stmt),
                       add_to(n.step, const(1), stmt)] + parts.record.body
        forward.append(located(record, stmt))
        forward.append(assign(n.step, ast.Call(name("checkpoint_end_forward"), [name(n.state), name(n.step)], []),
                              stmt))
        forward += parts.after
        self.states.append(n.state)

        # the reverse sweep: from the last iteration to the first
        trips = parts.trips
        before_last = ast.Compare(name(n.k), [ast.Lt()], [ast.BinOp(name(trips), ast.Sub(), const(1))])
        advance_to = ast.Call(name("checkpoint_advance_to"), [name(n.state), name(n.at), name(n.k)], [])
        advance = [assign(n.to, advance_to, stmt),
                   self._steps(parts, n.at, n.to, copy.deepcopy(parts.advance), n, fresh, stmt),
                   assign(n.at, name(n.to), stmt),
                   located(ast.If(ast.Compare(name(n.at), [ast.Lt()], [name(n.k)]),
                                  [assign(n.row, ast.Call(name("checkpoint_take"), [name(n.state), name(n.at)], []),
                                          stmt)] + self._save(scalars, arrays, buffers, n, stmt), []), stmt)]
        again = [assign(n.row, ast.Call(name("checkpoint_restore"), [name(n.state), name(n.k)], []), stmt)]
        again += self._restore(scalars, arrays, buffers, n, stmt)
        again.append(assign(n.at, ast.Call(name("checkpoint_position"), [name(n.state), name(n.row)], []), stmt))
        again.append(located(ast.While(ast.Compare(name(n.at), [ast.Lt()], [name(n.k)]), advance, []), stmt))
        one = ast.BinOp(name(n.k), ast.Add(), const(1))
        again.append(self._steps(parts, name(n.k), one, copy.deepcopy(parts.step_body), n, fresh, stmt))
        body = [located(ast.If(before_last, again, []), stmt)]
        if parts.index is not None:
            body.append(assign(parts.index, _plus(copy.deepcopy(parts.start), times(name(n.k), parts.step)), stmt))
        body += parts.reverse_body
        header = ast.Call(name("range"), [ast.BinOp(name(trips), ast.Sub(), const(1)), const(-1), const(-1)], [])
        backward = located(ast.For(name(n.k, True), header, body, [], None), stmt)
        return forward, parts.reverse_before + [backward] + parts.reverse_after

    # pieces ----------------------------------------------------------------
    def _check_types(self, scalars, stmt):
        for var in scalars:
            if self.env.get(var) not in ("float", "int", "bool"):
                where = self.where(stmt) if self.where else {}
                raise UnsupportedError(f"a checkpointed loop carries '{var}' of type {self.env.get(var)}, which a "
                                       "snapshot cannot hold yet; use checkpoint=None", construct="checkpoint",
                                       **where)

    def _snapshot_bytes(self, scalars, arrays):
        total = const(8 * (len(scalars) + 1))
        for var in arrays:
            size = const(8)
            for axis in range(self.env[var].ndim):
                size = ast.BinOp(size, ast.Mult(), _extent(var, axis))
            total = ast.BinOp(total, ast.Add(), size)
        return total

    def _buffer(self, var, snaps):
        type_ = self.env[var]
        if isinstance(type_, ArrayType):
            shape = ast.Tuple([name(snaps)] + [_extent(var, axis) for axis in range(type_.ndim)], ast.Load())
            return allocation.array("np.empty", [shape, name(_DTYPES.get(type_.dtype, f"np.{type_.dtype}"))])
        return allocation.array("np.empty", [name(snaps), name(_DTYPES[type_])])

    def _save(self, scalars, arrays, buffers, n, where):
        out = [assign(ast.Subscript(name(buffers[v]), name(n.row), ast.Store()), name(v), where) for v in scalars]
        for var in arrays:
            out.append(self._copy_elements(var, buffers[var], n, where, into_snapshot=True))
        return out

    def _restore(self, scalars, arrays, buffers, n, where):
        out = [assign(v, ast.Subscript(name(buffers[v]), name(n.row), ast.Load()), where) for v in scalars]
        for var in arrays:
            out.append(self._copy_elements(var, buffers[var], n, where, into_snapshot=False))
        return out

    def _copy_elements(self, var, buffer, n, where, into_snapshot):
        """Nested loops copying the elements of array ``var`` into (or out of) row ``n.row`` of ``buffer``."""
        indices = [n.fresh(f"_j{n.loop}") for _ in range(self.env[var].ndim)]
        element = ast.Tuple([name(i) for i in indices], ast.Load()) if len(indices) > 1 else name(indices[0])
        row = ast.Tuple([name(n.row)] + [name(i) for i in indices], ast.Load())
        snapshot = ast.Subscript(name(buffer), row, ast.Store() if into_snapshot else ast.Load())
        original = ast.Subscript(name(var), element, ast.Load() if into_snapshot else ast.Store())
        body = [assign(snapshot, original, where) if into_snapshot else assign(original, snapshot, where)]
        for axis in reversed(range(len(indices))):
            header = ast.Call(name("range"), [_extent(var, axis)], [])
            body = [located(ast.For(name(indices[axis], True), header, body, [], None), where)]
        return body[0]

    def _steps(self, parts, first, last, body, n, fresh, where):
        """A loop running iterations ``first`` to ``last - 1`` (counted from 0) of ``parts`` with ``body``."""
        first = name(first) if isinstance(first, str) else first
        last = name(last) if isinstance(last, str) else last
        if parts.index is None:
            header = ast.Call(name("range"), [first, last], [])
            return located(ast.For(name(fresh("_"), True), header, body or [ast.Pass()], [], None), where)
        start, step = parts.start, parts.step
        header = range_call(_plus(copy.deepcopy(start), times(first, step)),
                            _plus(copy.deepcopy(start), times(last, step)), step)
        return located(ast.For(name(parts.index, True), header, body or [ast.Pass()], [], None), where)


_DTYPES = {"float": "np.float64", "int": "np.int64", "bool": "np.bool_", "float64": "np.float64",
           "int64": "np.int64", "bool": "np.bool_"}


def _extent(var, axis):
    return ast.Subscript(ast.Attribute(name(var), "shape", ast.Load()), const(axis), ast.Load())


def _at_least_zero(var):
    return ast.Compare(name(var), [ast.GtE()], [const(0)])


class _Names:
    """The variables of one checkpointed loop, numbered by the loop."""

    def __init__(self, fresh, loop):
        self.fresh, self.loop = fresh, loop
        for role, stem in (("steps", "_steps"), ("bytes", "_snapshot_bytes"), ("snaps", "_snapshots"), ("state", "_checkpoints"),
                           ("fmark", "_fmark"), ("imark", "_imark"), ("step", "_step"), ("row", "_row"),
                           ("k", "_k"), ("at", "_at"), ("to", "_to")):
            setattr(self, role, fresh(f"{stem}{loop}"))

    def buffer(self, var):
        return self.fresh(f"_snapshot_{var}")

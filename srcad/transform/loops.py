"""The loop seam of reverse mode: a loop's parts, and strategies that assemble them.

The adjoint transformer does not build a loop's forward and reverse sweeps
itself.  It hands each loop to :func:`for_loop_parts` or
:func:`while_loop_parts`, which cut it into :class:`LoopParts`:

- ``advance``: the primal body alone, running an iteration without recording
  (what a checkpointing strategy runs between snapshots);
- ``record``: the loop whose body records one iteration on the tapes, with the
  statements around it (``before``: pinned bounds, counters; ``after``: what
  the reverse sweep pops first);
- ``reverse_body``: the adjoint of one iteration, and the bounds, trip count and
  index of the loop that runs it backwards.

A strategy assembles the parts into the statements of both sweeps.
:class:`StoreAll` records every iteration, as srcad always has; binomial
checkpointing and forward-running adjoint loops are further strategies of the
same shape, and the transformer does not change for them.
"""

import ast
import copy
from dataclasses import dataclass, field

from . import tape
from ..frontend.anno import is_exit_test
from .common import add_to, assign, const, located, name, times


@dataclass
class LoopParts:
    """One loop of a function, cut into the pieces a strategy assembles (see the module docstring)."""

    stmt: ast.stmt                 # the primal loop
    loop_id: int
    advance: list                  # the primal body, recording nothing
    record: ast.stmt               # the loop that records every iteration
    reverse_body: list             # the adjoint of one iteration
    trips: str                     # the variable holding the number of iterations in the reverse sweep
    before: list = field(default_factory=list)          # forward sweep, before the loop
    after: list = field(default_factory=list)           # forward sweep, after the loop
    reverse_before: list = field(default_factory=list)  # reverse sweep, before the backward loop
    reverse_after: list = field(default_factory=list)   # reverse sweep, after it
    index: str = None              # a for loop's variable (None for while)
    start: ast.expr = None         # a for loop's first index and step, as the reverse sweep reads them
    step: ast.expr = None
    bounds_stable: bool = False    # bounds evaluated again in the reverse sweep, not recorded
    stop: ast.expr = None          # a for loop's end, as the forward sweep reads it before the loop
    exits: bool = False            # the loop may be left early (its trip count is known only at its end)
    step_body: list = None         # the recording body of one iteration, without the loop's bookkeeping
    test: ast.expr = None          # a while loop's test


def for_loop_parts(stmt, record, reverse_body, loop_id, fresh, stable, index_recorded):
    """The parts of ``for index in range(...)`` loop ``stmt``.

    ``record`` is the loop with its recording body, ``reverse_body`` the adjoint of one iteration;
    ``fresh(stem)`` names new variables, ``stable(expr)`` tells whether a bound has the same value
    in the reverse sweep; ``index_recorded``: the index's value after the loop is read later and
    is pushed before the loop.
    """
    index = stmt.target.id
    args = stmt.iter.args
    start, stop, step = (const(0), args[0], const(1)) if len(args) == 1 else \
        (args[0], args[1], const(1)) if len(args) == 2 else tuple(args)
    before, after, pops = [], [], []
    if index_recorded:
        before.append(tape.push(name(index), "i", stmt))
    reverse_after = [tape.pop(index, "i", stmt)] if index_recorded else []
    exits = any(is_exit_test(s) for s in stmt.body)
    advance = copy.deepcopy(stmt.body)
    step_body = list(record.body)
    if all(stable(e) for e in (start, stop, step)) and not exits:
        # the bounds can be evaluated again in the reverse sweep: nothing to record
        trips = fresh(f"_trips{loop_id}")
        count = [assign(trips, ast.Call(name("range_len"), [start, stop, step], []), stmt)]
        return LoopParts(stmt, loop_id, advance, record, reverse_body, trips, before=before,
                         reverse_before=count, reverse_after=reverse_after, index=index, start=start, step=step,
                         bounds_stable=True, stop=stop, step_body=step_body)

    def pin(expr, stem):
        if isinstance(expr, ast.Constant):
            return expr, None
        var = fresh(f"{stem}{loop_id}")
        before.append(assign(var, copy.deepcopy(expr), stmt))
        return name(var), var

    start, start_var = pin(start, "_start")
    if not isinstance(stop, ast.Name):
        stop, _ = pin(stop, "_stop")
    step, step_var = pin(step, "_step")
    trips = fresh(f"_trips{loop_id}")
    record.iter = range_call(start, stop, step)
    done = trips
    if exits:
        # the loop may be left early: count the iterations that ran
        done = fresh(f"_count{loop_id}")
        before.append(assign(done, const(0), stmt))
        record.body.insert(0, _add_one(done, stmt))
    else:
        before.append(assign(trips, ast.Call(name("range_len"), [start, stop, step], []), stmt))
    for var in (start_var, step_var):
        if var is not None:
            after.append(tape.push(name(var), "i", stmt))
            pops.insert(0, tape.pop(var, "i", stmt))
    after.append(tape.push(name(done), "i", stmt))
    pops.insert(0, tape.pop(trips, "i", stmt))
    return LoopParts(stmt, loop_id, advance, record, reverse_body, trips, before=before, after=after,
                     reverse_before=pops, reverse_after=reverse_after, index=index, start=start, step=step,
                     stop=stop, exits=exits, step_body=step_body)


def while_loop_parts(stmt, record, reverse_body, loop_id, fresh):
    """The parts of ``while`` loop ``stmt``: its iterations are counted, and the count recorded."""
    count = fresh(f"_trips{loop_id}")
    step_body = list(record.body)
    record.body = [_add_one(count, stmt)] + record.body
    return LoopParts(stmt, loop_id, copy.deepcopy(stmt.body), record, reverse_body, count,
                     before=[assign(count, const(0), stmt)], after=[tape.push(name(count), "i", stmt)],
                     reverse_before=[tape.pop(count, "i", stmt)], exits=True, step_body=step_body, test=stmt.test)


class StoreAll:
    """Record every iteration in the forward sweep; run the adjoint iterations backwards from the tapes."""

    def assemble(self, parts, fresh):
        """(forward sweep statements, reverse sweep statements) of the loop ``parts``."""
        forward = parts.before + [parts.record] + parts.after
        return forward, parts.reverse_before + [backward_loop(parts, fresh)] + parts.reverse_after


def backward_loop(parts, fresh):
    """The loop that runs the adjoint iterations of ``parts`` in reverse order, ``parts.trips`` times."""
    stmt, body = parts.stmt, parts.reverse_body
    if parts.index is None:
        counter = fresh("_")
        header = ast.Call(name("range"), [name(parts.trips)], [])
        return located(ast.For(name(counter, True), header, body, [], None), stmt)
    start, step, index = parts.start, parts.step, parts.index
    last = _plus(copy.deepcopy(start), times(ast.BinOp(name(parts.trips), ast.Sub(), const(1)), step))
    if isinstance(start, ast.Constant) and isinstance(step, ast.Constant):
        header = range_call(last, _minus(start, step), _negate(step))
        loop = ast.For(name(index, True), header, body or [ast.Pass()], [], None)
    else:
        k = fresh(f"_k{parts.loop_id}")
        header = ast.Call(name("range"), [ast.BinOp(name(parts.trips), ast.Sub(), const(1)), const(-1), const(-1)],
                          [])
        position = assign(index, _plus(copy.deepcopy(start), times(name(k), step)), stmt)
        loop = ast.For(name(k, True), header, [position] + body, [], None)
    return located(loop, stmt)


def range_call(start, stop, step):
    """``range(start, stop, step)`` written as short as Python allows."""
    args = [start, stop, step]
    if isinstance(step, ast.Constant) and step.value == 1:
        args = [stop] if isinstance(start, ast.Constant) and start.value == 0 else [start, stop]
    return ast.Call(name("range"), [copy.deepcopy(a) for a in args], [])


def _add_one(var, where):
    return add_to(var, const(1), where)


def _plus(a, b):
    if isinstance(a, ast.Constant) and a.value == 0:
        return b
    return ast.BinOp(a, ast.Add(), b)


def _minus(a, b):
    if isinstance(a, ast.Constant) and isinstance(b, ast.Constant):
        return const(a.value - b.value)
    return ast.BinOp(a, ast.Sub(), b)


def _negate(a):
    if isinstance(a, ast.Constant):
        return const(-a.value)
    return ast.UnaryOp(ast.USub(), a)

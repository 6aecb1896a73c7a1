"""Reverse mode: a forward sweep that records, then a reverse sweep of adjoints.

The forward sweep is the primal with tape operations added: the old value of
a recorded variable is pushed before it is overwritten, each recorded branch
pushes which way it went, each recorded loop pushes its trip count.  The
reverse sweep visits the statements backwards; for ``y = f(a, b)`` it adds
``df/da * y_bar`` to ``a_bar`` and ``df/db * y_bar`` to ``b_bar``, clears
``y_bar`` and pops ``y``'s old value.  Tape operations are markers here
(:mod:`.tape` lowers them to buffer code).
"""

import ast
import copy
import os

from ..backend import allocation
from ..backend.schedules import HEADER
from ..analysis import ArrayType, is_float
from ..analysis.types import is_element_write, target_name
from ..errors import UnsupportedError
from ..rules import local_partials
from ..analysis import loops
from . import tape
from .binomial import Binomial
from .loops import StoreAll, for_loop_parts, while_loop_parts
from ..frontend.anno import is_exit_test
from .common import (active_partials, add_to, assign, const, expression_types, located, name,
                     times, zero_of)


class AdjointTransformer:
    """Reverse mode of one program; ``checkpoint`` (None, a snapshot count, or ``("auto", bytes)``) picks the
    strategy of the loops that no other loop encloses and that record something."""

    def __init__(self, program, checkpoint=None):
        self.p = program
        self.active = program.analysis.activity.active
        self.recorded = program.analysis.plan.recorded
        self.loop_ids = 0
        self.single_use = _single_use_temps(program)
        self.enclosing = []                       # indices of the for loops being transformed
        self.fixed = loops.fixed_names(program.tree, program.analysis.plan.recorded)
        self.sized = loops.sized_once(program.tree)
        self.strategy = StoreAll()
        self.outer_strategy = self.strategy
        if checkpoint is not None:
            snapshots, budget = (None, checkpoint[1]) if isinstance(checkpoint, tuple) else (checkpoint, None)
            self.outer_strategy = Binomial(snapshots, budget, program.analysis.env, program.source_map.where)
        self.loop_depth = 0
        self.checkpointed = []                    # (loop id, line) of each checkpointed loop
        self.types = expression_types(program)

    def bar(self, var):
        return self.p.deriv.bar(var)

    def kind(self, var):
        return "f" if is_float(self.p.analysis.env.get(var)) else "i"

    # one statement -> (forward sweep statements, reverse sweep statements)
    def block(self, stmts):
        forward, reverse = [], []
        for stmt in stmts:
            f, r = self.stmt(stmt)
            forward.extend(f)
            reverse[:0] = r
        return forward, reverse

    def stmt(self, stmt):
        if tape.is_marker(stmt):
            raise UnsupportedError("reverse mode over a derivative that records values on a tape is not supported",
                                   construct="reverse over reverse", **self.p.source_map.where(stmt))
        if isinstance(stmt, ast.Assign):
            return self.assignment(stmt)
        if isinstance(stmt, ast.If):
            if is_exit_test(stmt):
                return [stmt], []
            return self.branch(stmt)
        if isinstance(stmt, ast.For):
            return self.for_loop(stmt)
        if isinstance(stmt, ast.While):
            return self.while_loop(stmt)
        if isinstance(stmt, (ast.Assert, ast.Raise)):
            return [stmt], []
        raise AssertionError(f"unexpected statement {ast.dump(stmt)}")

    def element_write(self, stmt):
        array = target_name(stmt)
        if array not in self.active:
            return [stmt], []
        element = ast.Subscript(name(self.bar(array)), self.p.analysis.plan.rematerialize(stmt.targets[0].slice), ast.Load())
        reverse = []
        value = stmt.value
        if isinstance(value, ast.Name) and value.id in self.active:
            write = assign if value.id in self.single_use else add_to
            reverse.append(write(self.bar(value.id), element, stmt))
        cleared = ast.Subscript(name(self.bar(array)), copy.deepcopy(element.slice), ast.Store())
        reverse.append(assign(cleared, const(0.0), stmt))
        return [stmt], reverse

    def assignment(self, stmt):
        if is_element_write(stmt):
            return self.element_write(stmt)
        target = stmt.targets[0].id
        forward = [stmt]
        pop = []
        undo = self.p.analysis.plan.undo(stmt)
        if undo is not None:
            pop = [ast.fix_missing_locations(copy.deepcopy(undo))]
        elif target in self.recorded:
            forward.insert(0, tape.push(name(target), self.kind(target), stmt))
            pop = [tape.pop(target, self.kind(target), stmt)]
        if target not in self.active:
            return forward, pop
        value = stmt.value
        target_bar = self.bar(target)
        if not self.p.analysis.activity.is_active_expr(value, self.p.analysis.env):
            return forward, self.clear(target, stmt) + pop
        if isinstance(value, ast.Subscript):
            index = self.p.analysis.plan.rematerialize(value.slice)
            element = ast.Subscript(name(self.bar(value.value.id)), index, ast.Store())
            return forward, [add_to(element, name(target_bar), stmt)] + self.clear(target, stmt) + pop
        operands = local_partials(value, target, self.types)
        reads_target = any(isinstance(o.expr, ast.Name) and o.expr.id == target for o in operands)
        if not reads_target:
            reverse = self.accumulate(operands, name(target_bar), stmt)
            return forward, reverse + self.clear(target, stmt) + pop
        # ``x = f(x, ...)``: the partials need the old x, so restore it first and
        # keep the new value aside for rules that read their result.
        out, seed = self.p.scratch_out, self.p.scratch_seed
        operands = local_partials(value, out, self.types)
        reverse = []
        if any(isinstance(n, ast.Name) and n.id == out
               for o in operands if o.partial is not None for n in ast.walk(o.partial)):
            reverse.append(assign(out, name(target), stmt))
        reverse += pop
        reverse += [assign(seed, name(target_bar), stmt), assign(target_bar, const(0.0), stmt)]
        reverse += self.accumulate(operands, name(seed), stmt)
        return forward, reverse

    def accumulate(self, operands, seed, where):
        out = []
        for var, partial in active_partials(operands, self.active, self.types):
            # a temporary read once gets its whole adjoint here: assign, don't accumulate
            write = assign if var in self.single_use else add_to
            out.append(write(self.bar(var), times(self.p.analysis.plan.rematerialize(partial), seed, self.types), where))
        return out

    def clear(self, var, where):
        """Reset ``var``'s adjoint after its assignment's adjoint (not needed for single-use temporaries)."""
        if var in self.single_use or isinstance(self.p.analysis.env.get(var), ArrayType):
            return []  # arrays are created once, their adjoints start at zero
        return [assign(self.bar(var), const(0.0), where)]

    def branch(self, stmt):
        body_f, body_r = self.block(stmt.body)
        else_f, else_r = self.block(stmt.orelse)
        forward = copy.copy(stmt)
        if not body_r and not else_r:
            forward.body, forward.orelse = body_f, else_f
            return [forward], []
        # the flag goes on top of what the branch pushed, so the reverse sweep pops it first
        forward.body = body_f + [tape.push(const(1), "i", stmt)]
        forward.orelse = else_f + [tape.push(const(0), "i", stmt)]
        reverse = located(ast.If(tape.pop_expr("i"), body_r or [located(ast.Pass(), stmt)], else_r), stmt)
        return [forward], [reverse]

    def new_loop_id(self):
        self.loop_ids += 1
        return self.loop_ids

    def stable(self, expr):
        """Does ``expr`` have the same value in the reverse sweep as at this point of the forward one?"""
        return loops.stable(expr, self.fixed, self.sized, self.enclosing)

    def loop_body(self, stmt):
        self.loop_depth += 1
        body_f, body_r = self.block(stmt.body)
        self.loop_depth -= 1
        return body_f, body_r

    def assemble(self, parts):
        """The sweeps of a loop by its strategy: the outer one for a loop no loop encloses that records."""
        strategy = self.strategy
        if self.loop_depth == 0 and self.outer_strategy is not self.strategy \
                and any(tape.is_push(n) for s in parts.step_body for n in ast.walk(s)):
            strategy = self.outer_strategy
            self.checkpointed.append((parts.loop_id, parts.stmt.lineno))
        return strategy.assemble(parts, self.p.names.exact)

    def for_loop(self, stmt):
        index = stmt.target.id
        self.enclosing.append(index)
        body_f, body_r = self.loop_body(stmt)
        self.enclosing.pop()
        record = copy.copy(stmt)
        record.body = body_f
        if not body_r and index not in self.recorded:
            return [record], []
        parts = for_loop_parts(stmt, record, body_r, self.new_loop_id(), self.p.names.exact, self.stable,
                               index in self.recorded)
        return self.assemble(parts)

    def while_loop(self, stmt):
        body_f, body_r = self.loop_body(stmt)
        record = copy.copy(stmt)
        record.body = body_f
        if not body_r:
            return [record], []
        parts = while_loop_parts(stmt, record, body_r, self.new_loop_id(), self.p.names.exact)
        return self.assemble(parts)

    # the whole function
    def seed_of(self, position):
        """The cotangent of the ``position``-th differentiated result: ``_seed`` or a part of it."""
        if not self.p.outputs.seed_tuple:
            return name("_seed")
        return ast.Subscript(name("_seed"), const(position), ast.Load())

    def seed_checks(self, where):
        """Refuse a cotangent whose shape is not its array result's before reading any of it."""
        checks = []
        for position, result in enumerate(self.p.outputs.differentiated):
            if not isinstance(self.p.analysis.env.get(result), ArrayType):
                continue
            part = f" of part {position} of the result" if self.p.outputs.tuple_result else ""
            info = self.p.info   # only vjp seeds with an array
            what = f"vjp of {info.name}() ({os.path.basename(info.filename)}, line {info.firstlineno}): " \
                f"the cotangent{part}"
            got = ast.Attribute(self.seed_of(position), "shape", ast.Load())
            expected = ast.Attribute(name(result), "shape", ast.Load())
            error = ast.Call(name("ShapeError"), [const(what), got, expected], [])
            test = ast.Compare(copy.deepcopy(got), [ast.NotEq()], [copy.deepcopy(expected)])
            check = located(ast.If(test, [ast.Raise(error, None)], []), where)
            for node in ast.walk(check):
                node.lineno = None   # bookkeeping, not from a source line: no comment
            checks.append(check)
        return checks

    def function(self, tree, fname, with_value=True):
        """The adjoint function in core form: ``f_rev(params, _seed) -> (value, gradients)``.

        Its forward sweep, a marker where that sweep ends, then the reverse sweep and
        one return; tape operations are markers (:mod:`.tape` lowers them).  Without
        ``with_value`` it returns 0.0 for the value, so that work done only for the
        value (a running sum, say) is dead code the compiler drops."""
        p = self.p
        params = [a.arg for a in tree.args.args]
        body = tree.body[:-1]
        forward, reverse = self.block(body)
        first = tree.body[0]
        init = []
        for var in sorted(self.recorded - set(params)):
            init.append(assign(var, zero_of(p.analysis.env.get(var)), first))
        last = tree.body[-1]
        value_name = p.names.exact("_value")
        returned = ast.Tuple([name(r) for r in p.outputs.results], ast.Load()) if p.outputs.tuple_result else name(p.outputs.results[0])
        middle = [assign(value_name, returned if with_value else const(0.0), last)]
        middle += self.seed_checks(last)
        # an active result gets its seed assigned (an array result a copy); every other adjoint starts at zero
        assigned = {r for r in p.outputs.differentiated if not isinstance(p.analysis.env.get(r), ArrayType) or r in self.active}
        for var in sorted((self.active | set(p.wrt_names)) - assigned - self.single_use):
            if isinstance(p.analysis.env.get(var), ArrayType):
                zero = allocation.array("np.zeros_like", [name(var)])
            else:
                zero = const(0.0)
            middle.append(assign(self.bar(var), zero, last))
        seeded = set()
        for position, result in enumerate(p.outputs.differentiated):
            if result not in self.active:
                continue
            seed = self.seed_of(position)
            if result in seeded:    # a result returned twice gets both cotangents
                middle.append(add_to(self.bar(result), seed, last))
            elif isinstance(p.analysis.env.get(result), ArrayType):
                middle.append(assign(self.bar(result), allocation.array("np.copy", [seed]), last))
            else:
                middle.append(assign(self.bar(result), seed, last))
            seeded.add(result)
        grads = [name(self.bar(w)) for w in p.wrt_names]
        ret = ast.Return(ast.Tuple([name(value_name), grads[0] if p.single_wrt else ast.Tuple(grads, ast.Load())],
                                   ast.Load()))
        reports = []
        if isinstance(self.outer_strategy, Binomial):
            # a checkpointed loop that does not run (in a branch not taken) leaves an empty controller
            for state in self.outer_strategy.states:
                init.append(assign(state, allocation.array("np.zeros", [const(0), name("np.int64")]), first))
            reports = [tape.report(state, position * HEADER, last)
                       for position, state in enumerate(self.outer_strategy.states)]
        body = init + forward + [tape.forward_end(last)] + middle + reverse + reports + [ret]
        args = ast.arguments(posonlyargs=[], args=[ast.arg(a) for a in params + ["_seed"]],
                             kwonlyargs=[], kw_defaults=[], defaults=[])
        fn = ast.FunctionDef(name=fname, args=args, body=body, decorator_list=[], returns=None, type_params=[])
        located(fn, tree)
        ret.lineno = None   # bookkeeping, not from a source line: no comment
        if not with_value:
            value_type = "float"
        elif p.outputs.tuple_result:
            value_type = tuple(p.analysis.env.get(r) for r in p.outputs.results)
        else:
            value_type = p.analysis.env.get(p.outputs.results[0])
        fn.srcad_types = {value_name: value_type}   # what the analyses cannot type: the value tuple
        return fn


def _single_use_temps(program):
    """Temporaries assigned once and read once, by a later statement of the same list."""
    temps = set(program.analysis.temps) & program.analysis.activity.active
    sites, reads = {}, {}

    def visit(stmts):
        for index, stmt in enumerate(stmts):
            if isinstance(stmt, ast.Assign) and not is_element_write(stmt):
                sites.setdefault(stmt.targets[0].id, []).append((stmts, index))
            for node in ast.walk(stmt) if not isinstance(stmt, (ast.If, ast.For, ast.While)) else \
                    [n for part in _headers(stmt) for n in ast.walk(part)]:
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in temps:
                    reads.setdefault(node.id, []).append((stmts, index, stmt))
            if isinstance(stmt, ast.If):
                visit(stmt.body)
                visit(stmt.orelse)
            elif isinstance(stmt, (ast.For, ast.While)):
                visit(stmt.body)

    visit(program.tree.body)
    single = set()
    for temp in temps:
        if len(sites.get(temp, [])) != 1 or len({id(r[2]) for r in reads.get(temp, [])}) != 1:
            continue
        (def_list, def_index), (use_list, use_index, use) = sites[temp][0], reads[temp][0]
        if use_list is def_list and use_index > def_index and isinstance(use, ast.Assign) \
                and target_name(use) in program.analysis.activity.active:
            single.add(temp)
    return single


def _headers(stmt):
    if isinstance(stmt, (ast.If, ast.While)):
        return [stmt.test]
    return [stmt.iter]

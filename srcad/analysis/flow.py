"""What may run after a statement: reads that can follow a write before a name is assigned again.

A small forward walk over the structured statements of a core-form function,
through later iterations of enclosing loops, that keeps per path whether the
name was assigned yet and the values of boolean flags set to constants, so that
``if not returned:`` after ``returned = True`` is known not to run.
"""

import ast

_LOOPS = (ast.For, ast.While)
_MAX_STATES = 64


def child_lists(stmt):
    """The statement lists directly inside ``stmt``."""
    if isinstance(stmt, ast.If):
        return [stmt.body, stmt.orelse]
    if isinstance(stmt, _LOOPS):
        return [stmt.body]
    return []


def stored_names(node):
    """Names assigned anywhere in ``node``."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def read_may_follow(stmt, tree, name, fresh):
    """May ``name`` be read after ``stmt`` of ``tree`` runs, before an assignment to ``fresh``
    that surely runs?"""
    return _Observer(name, fresh).after(stmt, _places(tree))


def may_reach(stmt, target, tree, fresh):
    """May statement ``target`` of ``tree`` run after ``stmt`` does, before an assignment to one of the
    names ``fresh`` that surely runs in between?"""
    return _Reacher(target, set(fresh)).after(stmt, _places(tree))


def _places(tree):
    """id(statement) -> (its list, its index there, the statement holding the list or None)."""
    place = {}

    def visit(stmts, parent):
        for index, stmt in enumerate(stmts):
            place[id(stmt)] = (stmts, index, parent)
            for child in child_lists(stmt):
                visit(child, stmt)

    visit(tree.body, None)
    return place


class _Observer:
    """The walk of :func:`read_may_follow`.  A state is a pair (``fresh`` assigned yet, flags)."""

    def __init__(self, name, fresh):
        self.name, self.fresh = name, fresh

    def is_fresh(self, name):
        return name == self.fresh

    def after(self, stmt, place):
        states = {(False, tuple(sorted(_flags_at(stmt, place).items())))}
        while stmt is not None:
            stmts, index, parent = place[id(stmt)]
            observed, states = self.block(stmts[index + 1:], states)
            if observed:
                return True
            if isinstance(parent, _LOOPS):
                observed, states = self.loop(parent, states)
                if observed:
                    return True
            states = {s for s in states if not s[0]}
            if not states:
                return False
            stmt = parent
        return False

    def reads(self, node, states):
        return any(not assigned for assigned, _ in states) and any(
            isinstance(n, ast.Name) and n.id == self.name and isinstance(n.ctx, ast.Load) for n in ast.walk(node))

    def block(self, stmts, states):
        for stmt in stmts:
            observed, states = self.statement(stmt, states)
            if observed:
                return True, states
            if all(assigned for assigned, _ in states):
                return False, states
        return False, states

    def statement(self, stmt, states):
        """(whether ``stmt`` may read the name, the states after it) from ``states`` before it."""
        if isinstance(stmt, ast.If):
            if self.reads(stmt.test, states):
                return True, states
            taken, skipped = set(), set()
            for state in states:
                value = _flag_test(stmt.test, dict(state[1]))
                if value is not False:
                    taken.add(state)
                if value is not True:
                    skipped.add(state)
            observed_body, body = self.block(stmt.body, taken)
            observed_else, orelse = self.block(stmt.orelse, skipped)
            return observed_body or observed_else, self.bounded(body | orelse)
        if isinstance(stmt, _LOOPS):
            header = stmt.test if isinstance(stmt, ast.While) else stmt.iter
            if self.reads(header, states):
                return True, states
            return self.loop(stmt, states)
        target = stmt.targets[0] if isinstance(stmt, ast.Assign) else None
        if self.reads(stmt, states):
            return True, states
        if not isinstance(target, ast.Name):
            return False, states
        if self.is_fresh(target.id):
            return False, {(True, flags) for _, flags in states}
        value = stmt.value.value if isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, bool) \
            else None
        updated = set()
        for assigned, flags in states:
            flags = {k: v for k, v in flags if k != target.id}
            if value is not None:
                flags[target.id] = value
            updated.add((assigned, tuple(sorted(flags.items()))))
        return False, updated

    def loop(self, loop, states):
        """States after ``loop`` runs its body zero or more times from ``states``."""
        seen = set(states)
        frontier = set(states)
        while frontier:
            observed, out = self.block(loop.body, frontier)
            if observed:
                return True, seen
            frontier = out - seen
            seen = self.bounded(seen | out)
        return False, seen

    def bounded(self, states):
        if len(states) <= _MAX_STATES:
            return states
        return {(assigned, ()) for assigned, _ in states}


class _Reacher(_Observer):
    """The walk of :func:`may_reach`: it observes a statement running instead of a name read."""

    def __init__(self, target, fresh):
        super().__init__(None, fresh)
        self.target = target

    def is_fresh(self, name):
        return name in self.fresh

    def reads(self, node, states):
        return node is self.target and any(not assigned for assigned, _ in states)


def _flags_at(stmt, place):
    """Boolean flags of known value when ``stmt`` runs: the last constant assigned to each on the
    way to ``stmt``, where nothing assigns it in between (in a loop, nothing anywhere in its body)."""
    flags, decided = {}, set()
    while stmt is not None:
        stmts, index, parent = place[id(stmt)]
        for earlier in reversed(stmts[:index]):
            if isinstance(earlier, ast.Assign) and isinstance(earlier.targets[0], ast.Name) \
                    and isinstance(earlier.value, ast.Constant) and isinstance(earlier.value.value, bool):
                name = earlier.targets[0].id
                if name not in decided:
                    flags[name] = earlier.value.value
                    decided.add(name)
            else:
                decided |= stored_names(earlier)
        if isinstance(parent, _LOOPS):
            decided |= stored_names(parent)
        stmt = parent
    return flags


def _flag_test(test, flags):
    """The value of an ``if`` test on a flag of known value, else None."""
    if isinstance(test, ast.Name):
        return flags.get(test.id)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and isinstance(test.operand, ast.Name):
        value = flags.get(test.operand.id)
        return None if value is None else not value
    return None

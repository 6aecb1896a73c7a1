"""To-be-recorded analysis: how the adjoint sweep gets back the values it reads.

The reverse sweep runs each statement's adjoint with the variables holding
the values they had when the statement ran forward.  For every variable an
adjoint reads there are three cases:

* it is never overwritten: nothing to do, it still holds its value;
* it is cheap to compute again from values that are still there (an array
  element, a sum or product of such): the adjoint *rematerializes* it, reading
  the defining expression instead of the variable;
* otherwise it is *recorded*: its old value is pushed on a tape before each
  assignment and popped after that assignment's adjoint.
"""

import ast
import copy
from dataclasses import dataclass, field

from ..rules import CONSTRUCTORS, local_partials
from ..rules.apply import substitute
from .types import element_writes, is_element_write, target_name

_CHEAP_OPS = (ast.Add, ast.Sub, ast.Mult)
_MAX_REMAT_OPS = 5


@dataclass
class RecordPlan:
    recorded: set                                   # pushed before each assignment, popped after its adjoint
    needed: set                                     # read by some adjoint statement
    rematerialized: dict = field(default_factory=dict)   # variable -> expression that recomputes it
    inverted: dict = field(default_factory=dict)   # id(statement) -> the statement that undoes it

    def undo(self, stmt):
        """For ``i = i + 3`` on an integer, the statement ``i = i - 3`` that restores ``i`` without a tape."""
        return self.inverted.get(id(stmt))

    def rematerialize(self, expr):
        """``expr`` with rematerialized variables replaced by their defining expressions."""
        if not self.rematerialized:
            return expr
        return substitute(expr, self.rematerialized)


def names_in(expr):
    return {n.id for n in ast.walk(expr) if isinstance(n, ast.Name)}


def adjoint_reads(target, value, active):
    """Names the adjoint of ``target = value`` reads (for an active target)."""
    if isinstance(value, ast.Subscript):
        return names_in(value.slice) if isinstance(value.value, ast.Name) and value.value.id in active else set()
    reads = set()
    for operand in local_partials(value, target):
        if operand.partial is not None and names_in(operand.expr) & active:
            reads |= names_in(operand.partial)
    return reads


class _Positions:
    """Where each statement sits: its list, index and enclosing statement."""

    def __init__(self, tree):
        self.where = {}
        self.in_loop = set()
        self.order = []     # every statement, in source order
        self.visit(tree.body, None, 0)

    def visit(self, stmts, parent, depth):
        for index, stmt in enumerate(stmts):
            self.where[id(stmt)] = (stmts, index, parent)
            self.order.append(stmt)
            if depth:
                self.in_loop.add(id(stmt))
            if isinstance(stmt, ast.If):
                self.visit(stmt.body, stmt, depth)
                self.visit(stmt.orelse, stmt, depth)
            elif isinstance(stmt, (ast.For, ast.While)):
                self.visit(stmt.body, stmt, depth + 1)

    def enclosing(self, stmt):
        """(list, index, parent) of ``stmt``, then of each statement that contains it, outwards."""
        while stmt is not None:
            place = self.where[id(stmt)]
            yield place
            stmt = place[2]

    def ancestor_in(self, stmt, stmts):
        """Index in ``stmts`` of ``stmt`` or of the statement of ``stmts`` that contains it, else None."""
        return next((index for where, index, _ in self.enclosing(stmt) if where is stmts), None)


def _assigned_names(stmt):
    """Variables ``stmt`` assigns, arrays whose elements it writes included."""
    names = set()
    for node in ast.walk(stmt):
        if isinstance(node, ast.Assign):
            names.add(target_name(node))
        elif isinstance(node, ast.For):
            names.add(node.target.id)
    return names


def _cheap(expr, assigned, index=False, arrays=()):
    """Is ``expr`` cheap to recompute? Counts operations; array elements of read-only arrays only.
    Integer arithmetic in subscripts, or in all of ``expr`` when it computes an ``index``, is free.
    ``arrays`` are those of ``assigned`` that are arrays: read whole (``np.sum(v)``), they are no
    cheaper to trust than their elements; their shapes are."""
    shapes = {id(n.value) for n in ast.walk(expr) if _is_shape(n)}
    if any(isinstance(n, ast.Name) and n.id in arrays and id(n) not in shapes for n in ast.walk(expr)):
        return False
    ops = 0
    index_nodes = {id(n) for sub in ast.walk(expr) if isinstance(sub, ast.Subscript) for n in ast.walk(sub.slice)}
    if index:
        index_nodes = {id(n) for n in ast.walk(expr)}
    for node in ast.walk(expr):
        if isinstance(node, ast.Subscript) and not _is_shape(node.value) \
                and (not isinstance(node.value, ast.Name) or node.value.id in assigned):
            return False  # an element, even one read only to index, may differ by the reverse sweep
        if id(node) in index_nodes:
            continue  # integer index arithmetic is nearly free
        if isinstance(node, ast.BinOp):
            square = isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant) and node.right.value == 2
            if not isinstance(node.op, _CHEAP_OPS) and not square:
                return False
            ops += 1
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.USub):
                return False
            ops += 1
        elif isinstance(node, ast.Subscript):
            ops += 1
        elif not isinstance(node, (ast.Name, ast.Constant, ast.Load, ast.operator, ast.unaryop)):
            return False
    return ops <= _MAX_REMAT_OPS


def _is_shape(node):
    """``a.shape``: fixed for the whole call."""
    return isinstance(node, ast.Attribute) and node.attr == "shape" and isinstance(node.value, ast.Name)


def plan_recording(tree, activity, env):
    params = {a.arg for a in tree.args.args}
    positions = _Positions(tree)
    sites = {}
    readers = {}   # variable -> statements whose adjoint reads it
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and not is_element_write(node):
            sites.setdefault(node.targets[0].id, []).append(node)
        elif isinstance(node, ast.For):
            sites.setdefault(node.target.id, []).append(node)
    # an array is read-only after the last top-level statement that writes into it
    last_write = {}
    writes = [(name, stmt) for name, _, stmt in element_writes(tree)]
    writes += [(name, stmts[0]) for name, stmts in sites.items()
               if isinstance(stmts[0], ast.Assign) and isinstance(stmts[0].value, ast.Call)
               and stmts[0].value.func.id in CONSTRUCTORS]
    for name, stmt in writes:
        last_write[name] = max(last_write.get(name, -1), positions.ancestor_in(stmt, tree.body))
    scalars = set(sites) - set(last_write)

    def changing_at(stmt):
        """Names whose values may change in or after ``stmt``: scalars assigned anywhere, arrays written later."""
        top = positions.ancestor_in(stmt, tree.body)
        return scalars | {name for name, last in last_write.items() if last >= top}
    for stmt in positions.order:
        if isinstance(stmt, ast.Assign) and target_name(stmt) in activity.active:
            if is_element_write(stmt):
                reads = names_in(stmt.targets[0].slice)
            else:
                reads = adjoint_reads(stmt.targets[0].id, stmt.value, activity.active)
            for name in reads:
                readers.setdefault(name, []).append(stmt)
    ordered = [s for s in positions.order if isinstance(s, ast.Assign) and not is_element_write(s)]

    # Candidates: single-assignment variables whose definition, with earlier
    # candidates of the same statement list substituted, is still cheap.
    expansions, first_index = {}, {}
    for stmt in ordered:
        var = stmt.targets[0].id
        if var in params or len(sites[var]) != 1:
            continue
        stmts, index, _ = positions.where[id(stmt)]
        # substitute only candidates of the same list; others stay names (and are checked as such)
        used = {u for u in names_in(stmt.value) & set(expansions) if positions.where[id(sites[u][0])][0] is stmts}
        expansion = substitute(stmt.value, {u: expansions[u] for u in used})
        changing = changing_at(stmt)
        if _cheap(expansion, changing, index=env.get(var) == "int", arrays=changing & set(last_write)):
            expansions[var] = expansion
            first_index[var] = min([index] + [first_index[u] for u in used])

    remat = {}
    for var, reading in readers.items():
        if var not in expansions:
            continue
        stmts, index, _ = positions.where[id(sites[var][0])]
        free = names_in(expansions[var])
        ok = True
        for reader in reading:
            end = positions.ancestor_in(reader, stmts)
            if end is None or end <= index or any(
                _assigned_names(between) & free for between in stmts[first_index[var] + 1:end + 1]
            ):
                ok = False
                break
        if ok:
            remat[var] = expansions[var]

    def overwritten(name):
        return name in sites and (len(sites[name]) > 1 or name in params
                                  or any(id(s) in positions.in_loop for s in sites[name]))

    def loop_depth(stmt):
        return sum(isinstance(parent, (ast.For, ast.While)) for _, _, parent in positions.enclosing(stmt))

    def costly(name, instead_of):
        """Would recording ``name`` cost as much as recording ``instead_of``?  (Not if it is
        assigned in fewer nested loops: then it is pushed less often.)"""
        if not overwritten(name) or isinstance(sites[name][0], ast.For):
            return False
        deepest = max(loop_depth(s) for s in sites[name])
        return deepest >= max(loop_depth(s) for s in sites[instead_of])

    # Recomputing pays only for a variable that would be recorded, and only
    # when it does not force recording of values nothing else needs as often.
    remat = {v: e for v, e in remat.items() if overwritten(v)}
    changed = True
    while changed:
        changed = False
        for var in sorted(remat):
            others = {n for n in readers if n not in remat}
            for other, expansion in remat.items():
                if other != var:
                    others |= names_in(expansion)
            if any(costly(n, var) and n not in others for n in names_in(remat[var])):
                del remat[var]
                changed = True
                break

    needed = set()
    reading = {}   # variable -> statements whose adjoint reads it, rematerialized reads included
    for name, stmts in readers.items():
        for var in names_in(remat[name]) if name in remat else {name}:
            needed.add(var)
            reading.setdefault(var, []).extend(stmts)

    def restored_anyway(name):
        # read only after its last assignment: the reverse sweep reads it before undoing any of them
        top = [positions.ancestor_in(s, tree.body) for s in sites[name]]
        if name not in params and max(top) < min(positions.ancestor_in(r, tree.body) for r in reading[name]):
            return True
        # a loop index read only inside its loops: the reverse loops set it themselves
        return all(isinstance(s, ast.For) for s in sites[name]) and all(
            any(_inside(r, loop, positions) for loop in sites[name]) for r in reading[name])

    recorded = {name for name in needed if overwritten(name) and not restored_anyway(name)}
    inverted = {}
    for name in recorded:
        if env.get(name) != "int":
            continue
        for stmt in sites[name]:
            value = stmt.value if isinstance(stmt, ast.Assign) else None
            if isinstance(value, ast.BinOp) and isinstance(value.op, (ast.Add, ast.Sub)) \
                    and isinstance(value.left, ast.Name) and value.left.id == name \
                    and isinstance(value.right, ast.Constant) and type(value.right.value) is int:
                inverse = ast.Sub() if isinstance(value.op, ast.Add) else ast.Add()
                undo = ast.Assign([ast.Name(name, ast.Store())],
                                  ast.BinOp(ast.Name(name, ast.Load()), inverse, ast.Constant(value.right.value)))
                inverted[id(stmt)] = ast.copy_location(undo, stmt)
    return RecordPlan(recorded=recorded, needed=needed, rematerialized=remat, inverted=inverted)


def _inside(stmt, loop, positions):
    return any(parent is loop for _, _, parent in positions.enclosing(stmt))

"""To-be-recorded analysis: which values the adjoint sweep must get back.

The reverse sweep runs each statement's adjoint with the variables holding
the values they had when the statement ran forward.  A variable needs a tape
entry at its assignments when (1) some adjoint statement reads it and (2) it
is overwritten: assigned at several places, inside a loop, or a parameter
that is assigned.  Everything else is left where the forward sweep put it.
"""

import ast
from dataclasses import dataclass

from ..rules import local_partials


@dataclass
class RecordPlan:
    recorded: set        # variables pushed before each assignment and popped after its adjoint
    needed: set          # variables some adjoint statement reads


def _names(expr):
    return {n.id for n in ast.walk(expr) if isinstance(n, ast.Name)}


def adjoint_reads(target, value, active):
    """Names the adjoint of ``target = value`` reads (for an active target)."""
    if isinstance(value, ast.Subscript):
        return _names(value.slice) if isinstance(value.value, ast.Name) and value.value.id in active else set()
    reads = set()
    for operand in local_partials(value, target):
        if operand.partial is not None and _names(operand.expr) & active:
            reads |= _names(operand.partial)
    return reads


def _sites(tree):
    """For each variable: number of assignment sites, and whether one is inside a loop."""
    counts, in_loop = {}, set()

    def visit(stmts, depth):
        for stmt in stmts:
            if isinstance(stmt, ast.Assign):
                name = stmt.targets[0].id
            elif isinstance(stmt, ast.For):
                name = stmt.target.id
            else:
                name = None
            if name is not None:
                counts[name] = counts.get(name, 0) + 1
                if depth:
                    in_loop.add(name)
            if isinstance(stmt, ast.If):
                visit(stmt.body, depth)
                visit(stmt.orelse, depth)
            elif isinstance(stmt, (ast.For, ast.While)):
                visit(stmt.body, depth + 1)

    visit(tree.body, 0)
    return counts, in_loop


def plan_recording(tree, activity):
    params = {a.arg for a in tree.args.args}
    needed = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and node.targets[0].id in activity.active:
            needed |= adjoint_reads(node.targets[0].id, node.value, activity.active)
    counts, in_loop = _sites(tree)
    recorded = {
        name for name in needed
        if name in counts and (counts[name] > 1 or name in in_loop or name in params)
    }
    return RecordPlan(recorded=recorded, needed=needed)

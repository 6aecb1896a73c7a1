"""Signs of int expressions: which are known never to be negative.

Slices need it: ``x[i:]`` counts from the end when ``i`` is negative, so a
start that is a length, an extent or a counter from 0 gives simpler and
faster index arithmetic than one whose sign only shows at run time.
"""

import ast


def is_nonnegative(expr, names):
    """Is int expression ``expr`` known to be >= 0, given variables ``names`` known to be?"""
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, int) and not isinstance(expr.value, bool) and expr.value >= 0
    if isinstance(expr, ast.Name):
        return expr.id in names
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id in ("len", "range_len"):
        return True
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id in ("min", "max"):
        known = [is_nonnegative(a, names) for a in expr.args]
        return all(known) if expr.func.id == "min" else any(known)
    if isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Attribute) and expr.value.attr == "shape":
        return True
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Mult, ast.FloorDiv, ast.Mod)):
        return is_nonnegative(expr.left, names) and is_nonnegative(expr.right, names)
    return False


def nonnegative_names(tree, params):
    """Variables of core-form ``tree`` that every assignment gives a value known to be >= 0.

    Starts from all assigned variables (the parameters excepted) and drops
    those with an assignment that does not keep the property, until none is
    left to drop: the largest set for which each assignment keeps it.
    """
    sites = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            sites.setdefault(node.targets[0].id, []).append(node.value)
        elif isinstance(node, ast.For):
            sites.setdefault(node.target.id, []).append(node.iter)
    names = set(sites) - set(params)

    def keeps(value):
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "range":
            args = value.args
            if len(args) == 1:
                return True
            step = args[2] if len(args) == 3 else ast.Constant(1)
            positive_step = isinstance(step, ast.Constant) and isinstance(step.value, int) and step.value > 0
            return is_nonnegative(args[0], names) and positive_step
        return is_nonnegative(value, names)

    changed = True
    while changed:
        changed = False
        for name in sorted(names):
            if not all(keeps(v) for v in sites[name]):
                names.discard(name)
                changed = True
    return names

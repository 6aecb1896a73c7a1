"""Small helpers the frontend's modules share for building and reading AST nodes.

Positions (:func:`at`), a simple assignment (:func:`assignment`), renaming
variables (:class:`Rename`), and the questions several jobs ask of a block:
which arrays it writes elements of, which variable an expression may be a view
of.  Nothing here knows the lowering or the user's globals.
"""

import ast
import numbers


class Rename(ast.NodeTransformer):
    def __init__(self, renames):
        self.renames = renames

    def visit_Name(self, node):
        if node.id in self.renames:
            node.id = self.renames[node.id]
        return node


def viewed_name(expr):
    """The variable whose storage ``expr`` may share (``a``, ``a[1:]``, ``a[i]``, ``a.T``), else None."""
    while isinstance(expr, ast.Subscript) or isinstance(expr, ast.Attribute) and expr.attr == "T" \
            or isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "np.transpose" \
            and len(expr.args) == 1:
        expr = expr.args[0] if isinstance(expr, ast.Call) else expr.value
    return expr.id if isinstance(expr, ast.Name) else None


def element_written(tree):
    """Names of the arrays whose elements ``tree`` writes."""
    return {node.value.id for node in ast.walk(tree)
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Name)}


def contains(tree, node):
    return any(child is node for child in ast.walk(tree))


def python_number(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    return float(value)


def assignment(name, value, where):
    return at(ast.Assign([ast.Name(name, ast.Store())], value), where)


def at(node, where):
    """Give ``node`` (and children without a position) the position of ``where``."""
    ast.copy_location(node, where)
    ast.fix_missing_locations(node)
    for child in ast.walk(node):
        if not hasattr(child, "lineno") or child.lineno is None:
            ast.copy_location(child, where)
    return node

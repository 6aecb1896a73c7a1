"""Instantiating rules on core-form expressions: the local partial derivatives.

``local_partials(expr, out)`` answers, for one primitive operation ``expr``
whose result is stored in ``out``, the derivative of the result with respect
to each operand, as expressions over the operands.  Both transformers and the
recording analysis use it, so all of them agree on what a rule reads.
"""

import ast
import copy

from .registry import lookup_call, lookup_operator


class Operand:
    __slots__ = ("expr", "partial")

    def __init__(self, expr, partial):
        self.expr = expr
        self.partial = partial


def rule_of(expr):
    """The rule of a primitive operation, or None for a copy or an element read."""
    if isinstance(expr, ast.BinOp):
        return lookup_operator(expr.op)
    if isinstance(expr, ast.UnaryOp) and not isinstance(expr.op, ast.Not):
        return lookup_operator(expr.op)
    if isinstance(expr, ast.Call):
        return lookup_call(expr.func.id)
    return None


def operands_of(expr):
    if isinstance(expr, ast.BinOp):
        return [expr.left, expr.right]
    if isinstance(expr, ast.UnaryOp):
        return [expr.operand]
    if isinstance(expr, ast.Call):
        return list(expr.args)
    return []


def local_partials(expr, out):
    """A list of :class:`Operand` for primitive ``expr`` whose result is named ``out``.

    A plain name is a copy with partial 1.0.  Operands with a zero derivative get
    ``partial = None``.
    """
    if isinstance(expr, ast.Name):
        return [Operand(expr, ast.Constant(1.0))]
    rule = rule_of(expr)
    if rule is None:
        return []
    operands = operands_of(expr)
    result = []
    for index, operand in enumerate(operands):
        tree = rule.partial_tree(index)
        if tree is None:
            result.append(Operand(operand, None))
            continue
        mapping = dict(zip(rule.params, operands))
        mapping["out"] = ast.Name(out, ast.Load())
        result.append(Operand(operand, simplify(substitute(tree, mapping))))
    return result


class _Substitute(ast.NodeTransformer):
    def __init__(self, mapping):
        self.mapping = mapping

    def visit_Name(self, node):
        if node.id in self.mapping:
            return copy.deepcopy(self.mapping[node.id])
        return node


def substitute(tree, mapping):
    """A copy of expression ``tree`` with the names in ``mapping`` replaced by copies of their expressions."""
    return _Substitute(mapping).visit(copy.deepcopy(tree))


def is_number(node, value=None):
    if not isinstance(node, ast.Constant) or isinstance(node.value, bool):
        return False
    if not isinstance(node.value, (int, float)):
        return False
    return value is None or node.value == value


def simplify(node):
    """Fold constants and drop multiplications by one in a derivative expression."""
    return _Simplify().visit(node)


class _Simplify(ast.NodeTransformer):
    def visit_BinOp(self, node):
        self.generic_visit(node)
        left, right, op = node.left, node.right, node.op
        if is_number(left) and is_number(right):
            try:
                value = _FOLD[type(op)](left.value, right.value)
            except (KeyError, ZeroDivisionError, OverflowError, ValueError):
                return node
            return ast.Constant(value)
        if isinstance(op, ast.Add) and is_number(left, 0):
            return right
        if isinstance(op, (ast.Add, ast.Sub)) and is_number(right, 0):
            return left
        if isinstance(op, ast.Add) and ast.dump(left) == ast.dump(right):
            return ast.BinOp(ast.Constant(2.0), ast.Mult(), left)
        if isinstance(op, ast.Mult):
            if is_number(left, 1):
                return right
            if is_number(right, 1):
                return left
            if is_number(left, -1):
                return ast.UnaryOp(ast.USub(), right)
        if isinstance(op, ast.Div) and is_number(right, 1):
            return left
        if isinstance(op, ast.Pow) and is_number(right, 1):
            return left
        return node

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.USub):
            if is_number(node.operand):
                return ast.Constant(-node.operand.value)
            if isinstance(node.operand, ast.UnaryOp) and isinstance(node.operand.op, ast.USub):
                return node.operand.operand
        return node


_FOLD = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}

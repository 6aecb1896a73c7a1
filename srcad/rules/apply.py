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


def local_partials(expr, out, type_of=None):
    """A list of :class:`Operand` for primitive ``expr`` whose result is named ``out``.

    A plain name is a copy with partial 1.0.  Operands with a zero derivative get
    ``partial = None``.  ``type_of`` types the names the partials read, so that
    their simplification keeps every type (see :func:`simplify`).
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
        result.append(Operand(operand, simplify(substitute(tree, mapping), type_of)))
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


def simplify(node, type_of=None):
    """Fold constants and drop identities (``1.0 * a``, ``a + 0``) in a derivative expression.

    Every rewrite keeps the type of the expression it replaces, as Numba types
    it: an int stays an int (``i + i`` becomes ``2 * i``, never ``2.0 * i``, for
    an index recomputed in an adjoint) and a true division stays a float (``u / 1``
    is not ``u`` when ``u`` is an int: ``n * (n / 1)`` must not become the int64
    product ``n * n``, which wraps).  ``type_of(expr)`` answers the type of a
    name, element or call ("float", "int", "bool", an array type, or None when
    not known); arithmetic on them is typed here.  An identity with a float
    constant (``1.0 * a``, ``a + 0.0``, ``a / 1``) is dropped only when ``a`` is
    known to be a float; one with an int constant (``1 * a``, ``a + 0``), which
    keeps both int and float, unless ``a`` is known to be a bool.
    """
    return _Simplify(type_of).visit(node)


_INT64 = (-2 ** 63, 2 ** 63)


class _Simplify(ast.NodeTransformer):
    def __init__(self, type_of):
        self.type_of = type_of

    def kind(self, node):
        """"float", "int" or "bool" as Numba types ``node``, or None when that is not known."""
        if isinstance(node, ast.Constant):
            return {bool: "bool", int: "int", float: "float"}.get(type(node.value))
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Div):
                return "float"
            return _arithmetic(self.kind(node.left), self.kind(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return _arithmetic(self.kind(node.operand), "bool")
        if isinstance(node, ast.IfExp):
            body, orelse = self.kind(node.body), self.kind(node.orelse)
            return body if body == orelse else _arithmetic(body, orelse)
        if self.type_of is None:
            return None
        type_ = self.type_of(node)
        type_ = getattr(type_, "element", type_)   # an array: its elements
        return type_ if type_ in ("float", "int", "bool") else None

    def drops(self, constant, operand):
        """Whether ``constant op operand``, an identity of op, may become ``operand``: the same type."""
        kind = self.kind(operand)
        if isinstance(constant.value, float):
            return kind == "float"
        return kind != "bool"

    def twice(self, operand):
        """``a + a`` as a product of the same type: ``2.0 * a`` for a float, ``2 * a`` otherwise."""
        factor = 2.0 if self.kind(operand) == "float" else 2
        return ast.BinOp(ast.Constant(factor), ast.Mult(), operand)

    def visit_BinOp(self, node):
        self.generic_visit(node)
        left, right, op = node.left, node.right, node.op
        if is_number(left) and is_number(right):
            try:
                value = _FOLD[type(op)](left.value, right.value)
            except (KeyError, ZeroDivisionError, OverflowError, ValueError):
                return node
            if isinstance(value, int) and not _INT64[0] <= value < _INT64[1]:
                return node   # Numba's int64 arithmetic would wrap where Python's does not
            return ast.Constant(value)
        if isinstance(op, ast.Add) and is_number(left, 0) and self.drops(left, right):
            return right
        if isinstance(op, (ast.Add, ast.Sub)) and is_number(right, 0) and self.drops(right, left):
            return left
        if isinstance(op, ast.Add) and ast.dump(left) == ast.dump(right):
            return self.twice(left)
        if isinstance(op, ast.Mult):
            if is_number(left, 1) and self.drops(left, right):
                return right
            if is_number(right, 1) and self.drops(right, left):
                return left
            if is_number(left, -1) and self.drops(left, right):
                return ast.UnaryOp(ast.USub(), right)
        if isinstance(op, ast.Div) and is_number(right, 1) and self.kind(left) == "float":
            return left
        if isinstance(op, ast.Pow) and is_number(right, 1) and self.drops(right, left):
            return left
        return node

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.USub):
            if is_number(node.operand):
                return ast.Constant(-node.operand.value)
            if isinstance(node.operand, ast.UnaryOp) and isinstance(node.operand.op, ast.USub) \
                    and self.kind(node.operand.operand) != "bool":
                return node.operand.operand
        return node


def _arithmetic(a, b):
    """The type of arithmetic on types ``a`` and ``b`` (bools count as ints), or None when not known."""
    if "float" in (a, b):
        return "float"
    if a is None or b is None:
        return None
    return "int"


_FOLD = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}

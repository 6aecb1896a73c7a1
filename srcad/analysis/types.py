"""Scalar and array types of every variable, inferred as Numba will type them.

Types are ``"bool" < "int" < "float"`` for scalars and :class:`ArrayType`
for arrays.  A variable assigned values of several scalar types gets the
widest, as Numba unifies int and float to float.
"""

import ast
from typing import NamedTuple

from ..frontend.anno import CAST
from ..rules import lookup_array_operation, lookup_call, lookup_operator

_ORDER = {"bool": 0, "int": 1, "float": 2}


class ArrayType(NamedTuple):
    dtype: str   # numpy dtype name, e.g. "float64"
    ndim: int

    @property
    def element(self):
        if self.dtype.startswith("float"):
            return "float"
        if self.dtype == "bool":
            return "bool"
        return "int"


class TupleType(NamedTuple):
    """A tuple argument (a Numba UniTuple or Tuple) of scalars, read by constant index."""

    elements: tuple   # the scalar type of each element

    def __str__(self):
        return f"tuple({', '.join(self.elements)})"


SHAPE = "shape"   # the tuple of ints returned by ``a.shape``


def join(a, b):
    """The type of a variable that holds values of types ``a`` and ``b``."""
    if a is None:
        return b
    if b is None or a == b:
        return a
    if a in _ORDER and b in _ORDER:
        return a if _ORDER[a] >= _ORDER[b] else b
    return "conflict"


def is_float(t):
    return t == "float" or (isinstance(t, ArrayType) and t.element == "float")


def _arith_result(kind, types_):
    if any(t is None for t in types_):
        return None
    scalars = [t for t in types_ if t in _ORDER]
    if len(scalars) != len(types_):
        return "conflict"
    widest = "bool"
    for t in scalars:
        widest = join(widest, t)
    if kind == "float" or kind == "div":
        return "float"
    if kind in ("int", "bool"):
        return kind
    if widest == "bool":
        widest = "int"
    return widest  # "join" and "pow"


def type_of(expr, env):
    """The type of ``expr`` given variable types ``env``, or None if not yet known."""
    if isinstance(expr, ast.Constant):
        value = expr.value
        if isinstance(value, bool):
            return "bool"
        if isinstance(value, int):
            return "int"
        if isinstance(value, float):
            return "float"
        return "conflict"
    if isinstance(expr, ast.Name):
        return env.get(expr.id)
    if isinstance(expr, ast.BinOp):
        rule = lookup_operator(expr.op)
        parts = [type_of(expr.left, env), type_of(expr.right, env)]
        if any(isinstance(p, ArrayType) for p in parts):
            return _elementwise(parts)
        return _arith_result(rule.result, parts)
    if isinstance(expr, ast.UnaryOp):
        if isinstance(expr.op, ast.Not):
            return "bool"
        part = type_of(expr.operand, env)
        if isinstance(part, ArrayType):
            return part
        return _arith_result("join", [part])
    if isinstance(expr, ast.Compare) and len(expr.ops) == 1:
        parts = [type_of(expr.left, env), type_of(expr.comparators[0], env)]
        if any(isinstance(p, ArrayType) for p in parts):
            shaped = _elementwise(parts)
            return ArrayType("bool", shaped.ndim) if isinstance(shaped, ArrayType) else shaped
    if isinstance(expr, (ast.Compare, ast.BoolOp)):
        if isinstance(expr, ast.BoolOp):
            parts = [type_of(v, env) for v in expr.values]
            if any(p not in (None, "bool") for p in parts):
                return "conflict"
        return "bool"
    if isinstance(expr, ast.IfExp):
        return join(type_of(expr.body, env), type_of(expr.orelse, env))
    if isinstance(expr, ast.Call):
        name = expr.func.id
        if name in ("len", "range_len"):
            return "int"
        if name == CAST:
            # type(x)(v) has x's type: known as soon as x's is, even while x's own type waits on it
            like = type_of(expr.args[1], env)
            return like if like in ("float", "int", "bool") else None
        rule = lookup_call(name)
        if rule is None:
            return "conflict"
        if rule.result == "count":
            return "int"
        if rule.result == "array":
            return _constructed(name, expr.args, env)
        parts = [type_of(a, env) for a in expr.args]
        if rule.result == "array_op":
            return _array_operation(name, parts, expr.args, env)
        if any(isinstance(p, ArrayType) for p in parts):
            return _elementwise(parts)
        return _arith_result(rule.result, parts)
    if isinstance(expr, ast.Subscript):
        base = type_of(expr.value, env)
        if base is None:
            return None
        if base == SHAPE:
            return "int"
        if isinstance(base, TupleType):
            index = expr.slice
            if isinstance(index, ast.Constant) and type(index.value) is int \
                    and -len(base.elements) <= index.value < len(base.elements):
                return base.elements[index.value]
            return "conflict"
        if isinstance(base, ArrayType):
            indices = expr.slice.elts if isinstance(expr.slice, ast.Tuple) else [expr.slice]
            new_axes = sum(1 for i in indices if isinstance(i, ast.Constant) and i.value is None)
            if len(indices) - new_axes > base.ndim:
                return "conflict"
            points = [i for i in indices if not isinstance(i, ast.Slice)
                      and not (isinstance(i, ast.Constant) and i.value is None)]
            if any(type_of(i, env) not in ("int", "bool", None) for i in points):
                return "conflict"
            if len(points) == base.ndim and not new_axes:
                return base.element
            return ArrayType(base.dtype, base.ndim - len(points) + new_axes)   # a view: rows, slices
        return "conflict"
    if isinstance(expr, ast.Attribute):
        base = type_of(expr.value, env)
        if isinstance(base, ArrayType):
            return SHAPE if expr.attr == "shape" else "int"
        return None if base is None else "conflict"
    return "conflict"


def describe(t):
    """A type in words, for messages."""
    if isinstance(t, ArrayType):
        return f"{t.dtype} array of ndim {t.ndim}"
    return {"conflict": "a value srcad cannot type", None: "an unknown type"}.get(t, t)


def conflict_cause(expr, env):
    """The innermost part of ``expr`` that cannot be typed although its operands can, with their types.

    Returns (node, operand types), or None when ``expr`` types.
    """
    if type_of(expr, env) != "conflict":
        return None
    for child in ast.iter_child_nodes(expr):
        if isinstance(child, ast.expr):
            found = conflict_cause(child, env)
            if found is not None:
                return found
    operands = [c for c in ast.iter_child_nodes(expr) if isinstance(c, ast.expr) and not isinstance(c, ast.Name)
                or isinstance(c, ast.Name) and c.id in env]
    if isinstance(expr, ast.Call):
        operands = list(expr.args)
    return expr, [type_of(o, env) for o in operands]


def _elementwise(parts):
    """The array type of an elementwise operation on ``parts`` (arrays, broadcast as NumPy does, and scalars)."""
    if any(p is None for p in parts):
        return None
    arrays = [p for p in parts if isinstance(p, ArrayType)]
    scalars = [p for p in parts if not isinstance(p, ArrayType)]
    if any(p not in _ORDER for p in scalars) or not arrays:
        return "conflict"
    if all(a.element == "float" for a in arrays) and all(a.dtype == "float32" for a in arrays):
        dtype = "float32"
    elif any(a.element == "float" for a in arrays) or "float" in scalars:
        dtype = "float64"
    else:
        dtype = "int64"
    return ArrayType(dtype, max(a.ndim for a in arrays))


class _TypingKit:
    """What the type rules of array operations may use (see rules/array_operations.py)."""

    array = ArrayType

    def __init__(self, env):
        self.env = env

    def type_of(self, expr):
        return type_of(expr, self.env)

    @staticmethod
    def is_array(t):
        return isinstance(t, ArrayType)

    @staticmethod
    def elementwise(parts):
        return _elementwise(parts)


def _array_operation(name, parts, args, env):
    if any(p is None for p in parts):
        return None
    return lookup_array_operation(name).type(_TypingKit(env), parts, args)


def _constructed(name, args, env):
    """The array type made by an array constructor call, or "conflict"."""
    from ..rules import CONSTRUCTORS

    kind = CONSTRUCTORS[name]
    if kind in ("like", "copy"):
        base = type_of(args[0], env) if len(args) == 1 else "conflict"
        if base is None or isinstance(base, ArrayType):
            return base
        return "conflict"
    if not 1 <= len(args) <= 2:
        return "conflict"
    shape = args[0]
    dims = shape.elts if isinstance(shape, ast.Tuple) else [shape]
    if any(type_of(d, env) not in ("int", None) for d in dims):
        return "conflict"
    dtype = "float64"
    if len(args) == 2:
        if not (isinstance(args[1], ast.Name) and args[1].id.startswith("np.")):
            return "conflict"
        dtype = args[1].id[3:]
    return ArrayType(dtype, len(dims))


def target_name(stmt):
    """The variable an assignment writes: the name, or the array of an element write."""
    target = stmt.targets[0]
    return target.id if isinstance(target, ast.Name) else target.value.id


def is_element_write(stmt):
    return isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Subscript)


def element_writes(tree):
    """(array name, value, statement) of every element write."""
    for node in ast.walk(tree):
        if is_element_write(node):
            yield node.targets[0].value.id, node.value, node


def assignments(tree):
    """(target name, value expression or None for a loop variable, statement) in source order."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and not is_element_write(node):
            yield node.targets[0].id, node.value, node
        elif isinstance(node, ast.For):
            yield node.target.id, None, node


def infer_types(tree, arg_types, constants=None):
    """Types of all variables of core-form ``tree`` given the parameters' types.

    ``constants`` gives the types of the global arrays the function reads.
    """
    env = dict(constants or {})
    env.update(zip([a.arg for a in tree.args.args], arg_types))
    changed = True
    while changed:
        changed = False
        for name, value, _ in assignments(tree):
            new = "int" if value is None else type_of(value, env)
            if new is None:
                continue
            merged = join(env.get(name), new)
            if merged != env.get(name):
                env[name] = merged
                changed = True
    return env

"""Types in values: ``type(x)(v)``, ``T(v)`` with ``T = type(x)``, and dtype arguments.

Library code written to be dtype-generic (numba-stats) converts its
constants to the type of its argument: ``T = type(x)``, then ``T(0.5)``,
``type(scale)(1) / scale``, and makes arrays of a given dtype,
``np.empty(n, dtype=x.dtype)``, ``np.ones(3, dtype=float)``.  The frontend
cannot know those types and leaves marks (``frontend/anno.py``); this pass
replaces them once the types are inferred: a conversion to a float scalar
becomes ``float(v)`` (a number written out stays itself, as a float), to an
int ``int(v)``, and a dtype argument the NumPy dtype it names.
"""

import ast

from ..analysis import ArrayType, infer_types, type_of
from ..errors import UnsupportedError
from ..frontend.anno import CAST, TYPE_OF
from ..rules import lookup_call

# the NumPy dtype of a scalar type, and of the builtins np.zeros(n, float) takes as dtypes
_DTYPES = {"float": "float64", "int": "int64"}


def _is_call(node, name):
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name


class _Casts(ast.NodeTransformer):
    def __init__(self, env, where):
        self.env = env
        self.where = where        # the statement being rewritten, for messages
        self.changed = False

    def refuse(self, node, message):
        raise UnsupportedError(message, construct=ast.unparse(node), **self.where)

    def visit_Call(self, node):
        self.generic_visit(node)
        if _is_call(node, CAST):
            value, like = node.args
            kind = type_of(like, self.env)
            if kind in (None, "conflict"):
                return node   # not known yet: perhaps once another mark is replaced
            if kind not in _DTYPES:
                self.refuse(node, f"cannot convert a value to the type of '{ast.unparse(like)}', which is "
                            f"{kind if not isinstance(kind, ArrayType) else 'an array'}; convert to a float "
                            "or int scalar's type")
            self.changed = True
            if kind == "float" and isinstance(value, ast.Constant) and type(value.value) in (int, float):
                return ast.copy_location(ast.Constant(float(value.value)), node)
            return ast.copy_location(ast.Call(ast.Name(kind, ast.Load()), [value], []), node)
        rule = lookup_call(node.func.id) if isinstance(node.func, ast.Name) else None
        if rule is not None and "dtype" in rule.params:
            position = rule.params.index("dtype")
            if position < len(node.args):
                dtype = self.dtype(node.args[position])
                if dtype is not None:
                    node.args[position] = ast.copy_location(ast.Name(f"np.{dtype}", ast.Load()), node.args[position])
        return node

    def dtype(self, arg):
        """The NumPy dtype name that dtype argument ``arg`` denotes, or None (already a dtype, or not known yet)."""
        if isinstance(arg, ast.Name) and arg.id in _DTYPES:
            self.changed = True
            return _DTYPES[arg.id]
        if not _is_call(arg, TYPE_OF):
            return None
        kind = type_of(arg.args[0], self.env)
        if kind in (None, "conflict"):
            return None
        self.changed = True
        if isinstance(kind, ArrayType):
            return kind.dtype
        if kind in _DTYPES:
            return _DTYPES[kind]
        self.refuse(arg, f"'{ast.unparse(arg.args[0])}' has no NumPy dtype srcad makes arrays of")


def _statements(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and not isinstance(node, ast.FunctionDef):
            yield node


def _own_parts(stmt):
    """The expressions of ``stmt`` itself (not those of the statements in its blocks)."""
    for field, value in ast.iter_fields(stmt):
        for part in value if isinstance(value, list) else [value]:
            if isinstance(part, ast.expr):
                yield field, part


def resolve_casts(tree, arg_types, constant_types, source_map):
    """Replace the type marks of core-form ``tree`` by conversions and dtypes; refuse a type used otherwise."""
    if not any(_is_call(n, CAST) or _is_call(n, TYPE_OF) for n in ast.walk(tree)):
        return tree
    while True:
        env = infer_types(tree, arg_types, constant_types)
        changed = False
        for stmt in _statements(tree):
            casts = _Casts(env, source_map.where(stmt))
            for field, part in list(_own_parts(stmt)):
                new = casts.visit(part)
                held = getattr(stmt, field)
                if isinstance(held, list):
                    held[held.index(part)] = new
                else:
                    setattr(stmt, field, new)
            changed |= casts.changed
        if not changed:
            break
    for stmt in _statements(tree):
        for _, part in _own_parts(stmt):
            for node in ast.walk(part):
                if _is_call(node, TYPE_OF) or _is_call(node, CAST):
                    what = ast.unparse(node.args[-1])
                    raise UnsupportedError(
                        f"the type of '{what}' is used as a value; srcad takes a type only to convert a number "
                        "(T(0.5) with T = type(x)) or as the dtype of np.zeros, np.ones, np.empty or np.full",
                        construct=f"type({what})", **source_map.where(stmt))
    return tree

"""New versions of names rebound from an array to a scalar, or back.

``def f(x): x = x[0]; return ...`` (SciPy's univariate benchmark functions
start so) makes ``x`` an array on entry and a float after its first line.
Numba types such a name as two variables, one a version (its SSA form);
srcad gives every variable one type, so this pass renames the name from the
assignment that changes its kind on: ``x_1 = x[0]``, and ``x_1`` wherever
``x`` is read or written after it.  Only assignments at the top level of the
function split a name (inside a loop or branch both kinds reach the same
reads, and the name stays refused by the type checks, naming the line).
"""

import ast

from ..analysis import ArrayType, infer_types, type_of
from ..frontend.names import NameSource, user_names

_SCALARS = ("bool", "int", "float")


def _kinds_differ(a, b):
    """Is one of types ``a``, ``b`` an array and the other a scalar?"""
    return isinstance(a, ArrayType) and b in _SCALARS or isinstance(b, ArrayType) and a in _SCALARS


class _Rename(ast.NodeTransformer):
    def __init__(self, old, new):
        self.old, self.new = old, new

    def visit_Name(self, node):
        if node.id == self.old:
            node.id = self.new
        return node


def _stores(stmt, name):
    return any(isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) and n.id == name for n in ast.walk(stmt))


def _split_one(tree, env, arg_types):
    """Rename the first name whose kind changes at a top-level assignment; True if one was."""
    params = dict(zip([a.arg for a in tree.args.args], arg_types))
    settled = {n: t for n, t in env.items() if t != "conflict"}
    names = NameSource(user_names(tree))
    for name in sorted(n for n, t in env.items() if t == "conflict"):
        current = params.get(name)
        for index, stmt in enumerate(tree.body):
            if not _stores(stmt, name):
                continue
            if not (isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name)):
                break   # written inside a loop or branch: the kinds meet there
            new = type_of(stmt.value, dict(settled, **({name: current} if current is not None else {})))
            if new in (None, "conflict"):
                break
            if current is not None and _kinds_differ(current, new):
                version = names.fresh(f"{name}_")
                stmt.targets[0].id = version
                for later in tree.body[index + 1:]:
                    _Rename(name, version).visit(later)
                return True
            current = new if current is None else current
    return False


def version_rebound_names(tree, arg_types, constant_types):
    """Give each name that a top-level assignment rebinds from an array to a scalar (or back) a new version."""
    while _split_one(tree, infer_types(tree, arg_types, constant_types), arg_types):
        pass
    return tree

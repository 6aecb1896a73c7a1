"""Views: names bound to the storage of another array.

In NumPy and Numba ``w = a``, ``w = a[i]``, ``w = a[lo:hi]`` and ``w = a.T``
make ``w`` a view: a write through either name is seen through both.  The
passes after this one give every array variable a buffer of its own, so a
view would silently become a copy.  This pass replaces each view variable by
the expression it stands for wherever it is used, composing subscripts
(``w[1]`` with ``w = b[2:5]`` becomes ``b[3]``), so that reads, writes and
their adjoints all go to the viewed array.

A view is replaced when its name is bound once and every use follows the
binding in the same statement list (or inside statements after it), with
neither the viewed array's name nor the names in its subscript reassigned in
between.  Any other binding of an array name to another array's storage is
kept as a copy only when that cannot be told apart, that is when no element
of either array is written while both names may be in use; otherwise it is
refused.
"""

import ast
import copy

from ..analysis import ArrayType, type_of
from ..analysis.flow import child_lists, may_reach, read_may_follow, stored_names
from ..errors import UnsupportedError
from ..frontend.anno import is_in_place


def resolve_views(tree, env, source_map):
    """Replace the view variables of core-form ``tree`` (in place) by the expressions they view."""
    _write_in_place(tree, env)
    # the returned name stays: it is what the function returns, copied out of any storage it views
    kept = {a.arg for a in tree.args.args} | {n.id for r in ast.walk(tree) if isinstance(r, ast.Return)
                                             for n in ast.walk(r) if isinstance(n, ast.Name)}
    counting = _counting_indices(tree)
    unresolved = []
    while True:
        binding = next((b for b in _bindings(tree.body, env) if id(b[0]) not in {id(u) for u in unresolved}),
                       None)
        if binding is None:
            break
        stmt, stmts = binding
        if stmt.targets[0].id in kept or not _replace(stmt, stmts, tree, env, source_map, counting):
            unresolved.append(stmt)
    unresolved += [stmt for stmt in ast.walk(tree) if isinstance(stmt, ast.Assign)
                   and isinstance(stmt.targets[0], ast.Name) and isinstance(stmt.value, (ast.Call, ast.IfExp))
                   and _viewed_roots(stmt.value, env)]
    for stmt in unresolved:
        _check_copy_is_exact(stmt, tree, env, source_map)
    tree.body = [_NestedSubscripts(env, source_map, counting).visit(stmt) for stmt in tree.body]
    return tree


def _write_in_place(tree, env):
    """``a = a + e`` lowered from ``a += e`` with ``a`` an array becomes ``a[:] = a + e``: NumPy changes
    the array object, which views of it and callers that passed it share, instead of binding a new one."""
    for stmt in ast.walk(tree):
        if isinstance(stmt, ast.Assign) and is_in_place(stmt) and isinstance(stmt.targets[0], ast.Name):
            t = env.get(stmt.targets[0].id)
            if isinstance(t, ArrayType) and t.ndim > 0:
                whole = [ast.Slice(None, None, None) for _ in range(t.ndim)]
                index = whole[0] if t.ndim == 1 else ast.Tuple(whole, ast.Load())
                stmt.targets[0] = ast.copy_location(
                    ast.Subscript(ast.Name(stmt.targets[0].id, ast.Load()), index, ast.Store()), stmt.targets[0])


def transposed(node):
    """The array of ``a.T`` or ``np.transpose(a)``, else None."""
    if isinstance(node, ast.Attribute) and node.attr == "T":
        return node.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "np.transpose" \
            and len(node.args) == 1 and not node.keywords:
        return node.args[0]
    return None


def _is_view(value, env):
    """Does ``value`` share the storage of an array variable?"""
    if isinstance(value, ast.Name):
        return isinstance(env.get(value.id), ArrayType)
    inner = transposed(value)
    if inner is None and isinstance(value, ast.Subscript):
        inner = value.value
    return inner is not None and _is_view(inner, env) and isinstance(type_of(value, env), ArrayType)


# NumPy functions whose result shares the storage of their first argument (where it can)
_VIEWING_CALLS = ("np.reshape", "np.ravel", "np.asarray", "np.atleast_1d", "np.atleast_2d", "np.atleast_3d")


def _reshaped_view(value, env):
    """Is ``value`` a call whose result may share the storage of an array variable?  Such a
    binding is kept as a copy, and checked like any other binding that is."""
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in _VIEWING_CALLS \
        and bool(value.args) and _is_view(value.args[0], env)


def _ndim(expr, env):
    return type_of(expr, env).ndim


def _root(expr):
    while not isinstance(expr, ast.Name):
        expr = expr.args[0] if isinstance(expr, ast.Call) else expr.value
    return expr.id


def _bindings(stmts, env):
    """``(statement, its list)`` for each ``name = view``, in source order."""
    for stmt in stmts:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name) and _is_view(stmt.value, env):
            yield stmt, stmts
        for child in child_lists(stmt):
            yield from _bindings(child, env)


def _loads(node, name):
    return sum(isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load) for n in ast.walk(node))


def _counting_indices(tree):
    """Indices of ``for`` loops over a ``range`` that counts up from a non-negative start, never reassigned."""
    stores = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
    counting = set()
    for loop in ast.walk(tree):
        if not (isinstance(loop, ast.For) and isinstance(loop.iter, ast.Call) and isinstance(loop.iter.func, ast.Name)
                and loop.iter.func.id == "range" and stores.count(loop.target.id) == 1):
            continue
        args = loop.iter.args
        upward = len(args) < 3 or _is_int(args[2]) and args[2].value > 0
        if len(args) == 1 or _non_negative(args[0], counting) and upward:
            counting.add(loop.target.id)
    return counting


def _replace(stmt, stmts, tree, env, source_map, counting):
    """Replace the view bound by ``stmt`` at its uses and drop the binding; False where it cannot be."""
    var = stmt.targets[0].id
    if sum(isinstance(n, ast.Name) and n.id == var and isinstance(n.ctx, ast.Store) for n in ast.walk(tree)) != 1:
        return False
    index = next(i for i, s in enumerate(stmts) if s is stmt)
    later = stmts[index + 1:]
    if _loads(tree, var) != sum(_loads(s, var) for s in later):
        return False   # used before its binding runs again, or after the block that binds it
    free = {n.id for n in ast.walk(stmt.value) if isinstance(n, ast.Name)}
    for position, following in enumerate(later):
        if _loads(following, var) and any(stored_names(s) & free for s in later[:position + 1]):
            return False
    replacer = _Replacer(var, stmt.value, _Composer(env, source_map, stmt, counting))
    stmts[index + 1:] = [replacer.visit(s) for s in later]
    del stmts[index]
    return True


class _Replacer(ast.NodeTransformer):
    """Uses of the view ``var`` rewritten over the array it views."""

    def __init__(self, var, view, composer):
        self.var, self.view, self.composer = var, view, composer

    def is_var(self, node):
        return isinstance(node, ast.Name) and node.id == self.var

    def visit_Subscript(self, node):
        if self.is_var(node.value):
            node.slice = self.visit(node.slice)
            return ast.copy_location(self.composer.subscript(self.view, node.slice, node.ctx), node)
        if isinstance(node.value, ast.Attribute) and node.value.attr == "shape" and self.is_var(node.value.value) \
                and isinstance(node.slice, ast.Constant):
            size = self.composer.size(self.view, node.slice.value)
            if size is not None:
                return ast.copy_location(size, node)
        return self.generic_visit(node)

    def visit_Call(self, node):
        if isinstance(node.func, ast.Name) and node.func.id == "len" and len(node.args) == 1 \
                and self.is_var(node.args[0]):
            size = self.composer.size(self.view, 0)
            if size is not None:
                return ast.copy_location(size, node)
        return self.generic_visit(node)

    def visit_Name(self, node):
        if node.id == self.var:
            return ast.copy_location(copy.deepcopy(self.view), node)
        return node


class _NestedSubscripts(ast.NodeTransformer):
    """``b[0:2][1]`` written as ``b[1]``: a subscript of a view, over the array it views."""

    def __init__(self, env, source_map, counting):
        self.env, self.source_map, self.counting = env, source_map, counting

    def visit_Subscript(self, node):
        self.generic_visit(node)
        if isinstance(node.value, ast.Name) or not _is_view(node.value, self.env):
            return node
        composer = _Composer(self.env, self.source_map, node, self.counting)
        return ast.copy_location(composer.subscript(node.value, node.slice, node.ctx), node)


class _Uncomposable(Exception):
    """A subscript of a view that cannot be written over the array it views."""


class _Composer:
    """Subscripts and extents of a view, written over the array it views."""

    def __init__(self, env, source_map, where, counting):
        self.env, self.source_map, self.where, self.counting = env, source_map, where, counting

    def refuse(self, message):
        raise UnsupportedError(message, construct="view", **self.source_map.where(self.where))

    def subscript(self, view, index, ctx):
        """``view[index]`` written over the array ``view`` views; a read through a slice with a step
        other than a positive constant is left whole, to the lowering of array expressions."""
        try:
            return self.composed(view, index, ctx)
        except _Uncomposable:
            if not isinstance(ctx, ast.Load):
                self.refuse(f"writing through '{ast.unparse(view)}', a view with a step that is not a "
                            "positive integer constant")
            return ast.Subscript(copy.deepcopy(view), copy.deepcopy(index), ctx)

    def composed(self, view, index, ctx):
        parts = list(index.elts) if isinstance(index, ast.Tuple) else [index]
        if isinstance(view, ast.Name):
            return ast.Subscript(ast.Name(view.id, ast.Load()), copy.deepcopy(index), ctx)
        if transposed(view) is not None:
            ndim = _ndim(view, self.env)
            if ndim == 1:
                return self.composed(transposed(view), index, ctx)
            if len(parts) == ndim and not any(isinstance(p, ast.Slice) for p in parts):
                return self.composed(transposed(view), ast.Tuple(list(reversed(parts)), ast.Load()), ctx)
            return ast.Subscript(copy.deepcopy(view), copy.deepcopy(index), ctx)
        base = view.value
        ndim = _ndim(base, self.env)
        fixed = list(view.slice.elts) if isinstance(view.slice, ast.Tuple) else [view.slice]
        if any(isinstance(p, ast.Constant) and (p.value is None or p.value is Ellipsis) for p in fixed + parts):
            return ast.Subscript(copy.deepcopy(view), copy.deepcopy(index), ctx)   # new axes: left whole
        if len(parts) > _ndim(view, self.env):
            self.refuse(f"'{ast.unparse(index)}' has more indices than the view '{ast.unparse(view)}' "
                        "has dimensions")
        composed = []
        for dim in range(ndim):
            part = fixed[dim] if dim < len(fixed) else None
            if part is not None and not isinstance(part, ast.Slice):
                composed.append(copy.deepcopy(part))
            elif parts:
                composed.append(self.within(part, parts.pop(0), base, dim))
            elif part is not None:
                composed.append(copy.deepcopy(part))
        while composed and _is_full(composed[-1]) and len(composed) > 1:
            composed.pop()
        inner = composed[0] if len(composed) == 1 else ast.Tuple(composed, ast.Load())
        return self.composed(base, inner, ctx)

    def within(self, part, position, base, dim):
        """The subscript of ``base``'s dimension ``dim`` that ``position`` of its slice ``part`` picks."""
        if part is None or _is_full(part):
            return copy.deepcopy(position)
        lo, step = self.lower(part, base, dim), self.step(part)
        if not isinstance(position, ast.Slice):
            return _add(lo, _mul(self.from_end(position, self.extent_of(part, base, dim)), step))
        sub_step = self.step(position)
        sub_lo = self.lower(position, None, None, self.extent_of(part, base, dim))
        new_lo = _add(copy.deepcopy(lo), _mul(sub_lo, step))
        if position.upper is None:
            new_hi = copy.deepcopy(part.upper)
        else:
            length = self.extent_of(part, base, dim)
            upper = self.bound(position.upper, length)
            new_hi = _add(copy.deepcopy(lo), _mul(ast.Call(ast.Name("min", ast.Load()), [upper, length], []), step))
        new_step = _mul(copy.deepcopy(step), sub_step)
        return ast.Slice(new_lo, new_hi, None if _is_int(new_step, 1) else new_step)

    def step(self, part):
        if part.step is None:
            return ast.Constant(1)
        if isinstance(part.step, ast.Constant) and type(part.step.value) is int and part.step.value > 0:
            return copy.deepcopy(part.step)
        raise _Uncomposable()

    def lower(self, part, base, dim, length=None):
        if part.lower is None:
            return ast.Constant(0)
        return self.bound(part.lower, length if length is not None else self.extent(base, dim))

    def bound(self, value, length):
        """A slice bound counted from the start, as Python counts negative bounds from the end."""
        if _non_negative(value, self.counting):
            return copy.deepcopy(value)
        from_end = ast.Call(ast.Name("max", ast.Load()), [_add(length, copy.deepcopy(value)), ast.Constant(0)], [])
        if _is_int(value) or _negated_int(value):
            return from_end
        test = ast.Compare(copy.deepcopy(value), [ast.GtE()], [ast.Constant(0)])
        return ast.IfExp(test, copy.deepcopy(value), from_end)

    def from_end(self, position, length):
        """An index counted from the start, as Python counts negative indices from the end."""
        if _non_negative(position, self.counting):
            return copy.deepcopy(position)
        if _is_int(position) or _negated_int(position):
            return _add(length, copy.deepcopy(position))
        test = ast.Compare(copy.deepcopy(position), [ast.GtE()], [ast.Constant(0)])
        return ast.IfExp(test, copy.deepcopy(position), _add(length, copy.deepcopy(position)))

    def extent_of(self, part, base, dim):
        n = self.extent(base, dim)
        lo = self.lower(part, base, dim)
        hi = n if part.upper is None else ast.Call(ast.Name("min", ast.Load()),
                                                  [self.bound(part.upper, copy.deepcopy(n)), copy.deepcopy(n)], [])
        return ast.Call(ast.Name("range_len", ast.Load()), [lo, hi, self.step(part)], [])

    def size(self, view, dim):
        """The length of dimension ``dim`` of ``view``, or None where it is left to the lowering."""
        try:
            return self.extent(view, dim)
        except _Uncomposable:
            return None

    def extent(self, view, dim):
        """The length of dimension ``dim`` of ``view``."""
        if isinstance(view, ast.Name):
            shape = ast.Attribute(ast.Name(view.id, ast.Load()), "shape", ast.Load())
            return ast.Subscript(shape, ast.Constant(dim), ast.Load())
        if transposed(view) is not None:
            ndim = _ndim(view, self.env)
            return self.extent(transposed(view), ndim - 1 - dim)
        base = view.value
        ndim = _ndim(base, self.env)
        fixed = list(view.slice.elts) if isinstance(view.slice, ast.Tuple) else [view.slice]
        view_dims = [d for d in range(ndim) if d >= len(fixed) or isinstance(fixed[d], ast.Slice)]
        base_dim = view_dims[dim]
        part = fixed[base_dim] if base_dim < len(fixed) else None
        if part is None or _is_full(part):
            return self.extent(base, base_dim)
        return self.extent_of(part, base, base_dim)


def _is_full(part):
    return isinstance(part, ast.Slice) and part.lower is None and part.upper is None and part.step is None


def _is_int(node, value=None):
    return isinstance(node, ast.Constant) and type(node.value) is int and (value is None or node.value == value)


def _negated_int(node):
    return isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and _is_int(node.operand)


def _non_negative(node, counting):
    """Is the integer expression ``node`` surely >= 0?  Constants, sizes, indices of loops in
    ``counting``, and their sums, products and remainders."""
    if isinstance(node, ast.Name):
        return node.id in counting
    if _is_int(node):
        return node.value >= 0
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("len", "range_len"):
        return True
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "shape":
        return True
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, (ast.Add, ast.Mult, ast.FloorDiv)):
            return _non_negative(node.left, counting) and _non_negative(node.right, counting)
        if isinstance(node.op, ast.Mod):
            return _is_int(node.right) and node.right.value > 0
    return False


def _add(a, b):
    if _is_int(a) and _is_int(b):
        return ast.Constant(a.value + b.value)
    if _is_int(a, 0):
        return b
    if _is_int(b, 0):
        return a
    if _negated_int(b):
        return ast.BinOp(a, ast.Sub(), b.operand)
    return ast.BinOp(a, ast.Add(), b)


def _mul(a, b):
    if _is_int(a) and _is_int(b):
        return ast.Constant(a.value * b.value)
    if _is_int(a, 1):
        return b
    if _is_int(b, 1):
        return a
    return ast.BinOp(a, ast.Mult(), b)


def _check_copy_is_exact(stmt, tree, env, source_map):
    """Refuse a binding kept as a copy where a write into either array could tell it from a view.

    A write into the viewed array is harmless when no read of the view can follow it before the
    view is bound again; a write into the view, when no read of the viewed array can follow it
    before that array is made afresh.
    """
    var = stmt.targets[0].id
    for root in _viewed_roots(stmt.value, env):
        _check_copy_of(stmt, var, root, tree, source_map)


def _viewed_roots(value, env):
    """The array variables whose storage ``value`` may share: one for a view, either one for a choice
    between views (``a if c else b``), which is decided only when the function runs."""
    if isinstance(value, ast.IfExp):
        return sorted(set(_viewed_roots(value.body, env)) | set(_viewed_roots(value.orelse, env)))
    if _is_view(value, env) or _reshaped_view(value, env):
        return [_root(value)]
    return []


def _check_copy_of(stmt, var, root, tree, source_map):
    for write in ast.walk(tree):
        if not (isinstance(write, ast.Assign) and isinstance(write.targets[0], ast.Subscript)
                and _root(write.targets[0]) in (var, root)):
            continue
        other = var if _root(write.targets[0]) == root else root
        if not may_reach(stmt, write, tree, {var, root}):
            continue   # one of the names is bound to another array before the write: they no longer share
        if read_may_follow(write, tree, other, other):
            value = ast.unparse(stmt.value)
            returned = source_map.line_text(stmt.lineno).partition(": ")[2].lstrip().startswith("return")
            what = f"the array returned here is '{value}' itself" if returned else \
                f"'{var} = {value}' makes '{var}' a view of '{root}'"
            if isinstance(stmt.value, ast.IfExp):
                what += " or of another array, chosen when the function runs"
            raise UnsupportedError(
                f"{what}, not a copy, and an element of one of them is written while both are in use; "
                f"srcad follows a view only when it is bound once and used after its binding in the same "
                f"block, before '{root}' or its indices change (write '{value}.copy()' for a copy)",
                construct="view", **source_map.where(stmt))

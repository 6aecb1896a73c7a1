"""Rewriting whole-array expressions as loops over elements.

``c = np.tanh(W @ h + b)`` becomes a loop nest that computes each element
``c[i]`` from ``W[i, j]``, ``h[j]`` and ``b[i]`` with scalar operations, and
``s = np.sum(a * b)`` becomes an accumulation loop.  Everything downstream then
differentiates scalar code and element reads and writes only, and Numba
compiles loops several times faster than array expressions.

An array variable owns one buffer: its first assignment allocates it, later
assignments write into it element by element, through a scratch buffer when
the new value reads the old one.  Assignment binds a new array, as in NumPy:
an assignment at the top level of the function whose value may have another
shape gives the name a new version (``d`` becomes ``d_1`` from there on, with a
buffer of its own), and one inside a loop or branch, where the buffer is kept,
first asserts that the shape is the buffer's.  A write of all the elements of
an array (``a[:] = ...``, made from ``a += ...`` by the views pass) changes the
array in place.
"""

import ast
import copy
import os

from ..backend import allocation
from ..analysis import ArrayType, type_of
from ..analysis.signs import is_nonnegative, nonnegative_names
from ..analysis.types import describe, is_element_write
from ..errors import UnsupportedError
from ..frontend.names import NameSource, user_names
from ..rules import CONSTRUCTORS, lookup_array_operation, lookup_call, simplify
from ..frontend.anno import is_exit_test
from .views import transposed


def _name(id_, store=False):
    return ast.Name(id_, ast.Store() if store else ast.Load())


def _at(node, where):
    ast.copy_location(node, where)
    ast.fix_missing_locations(node)
    for child in ast.walk(node):
        if getattr(child, "lineno", None) is None:
            ast.copy_location(child, where)
    return node


class _Scalarizer:
    def __init__(self, tree, env, source_map):
        self.tree = tree
        self.env = env
        self.where = source_map.where
        self.names = NameSource(user_names(tree))
        self.params = {a.arg for a in tree.args.args}
        self.allocated = set()        # arrays whose buffer exists
        self.scratch = {}             # array -> its scratch buffer
        self.allocations = []         # (statement after which to allocate, statement)
        self.hoisted = []             # allocations for the top-level statement being lowered
        self.assigned = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        stores = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
        # assigned once, at the top level: the same value wherever it is read later
        self.top_level = {s.targets[0].id for s in tree.body if isinstance(s, ast.Assign)
                          and isinstance(s.targets[0], ast.Name) and stores.count(s.targets[0].id) == 1}
        self.at_top = True            # lowering a statement at the top level of the function
        self.buffer_shapes = {}       # array -> the extents its buffer was allocated with
        self.versions = {}            # array name -> the version that later statements read
        self.origins = {}             # version -> the user's name it is a version of
        self.nonnegative_names = nonnegative_names(tree, self.params)

    def refuse(self, node, construct, message):
        raise UnsupportedError(message, construct=construct, **self.where(node))

    def type(self, expr):
        return type_of(expr, self.env)

    def is_array(self, expr):
        return isinstance(self.type(expr), ArrayType)

    def fresh(self, stem, type_):
        name = self.names.fresh(stem)
        self.env[name] = type_
        return name

    # statements -----------------------------------------------------------
    def block(self, stmts, top=False):
        out = []
        for stmt in stmts:
            self.at_top = top
            if top and self.versions:
                stmt = _Renamer(self.versions).visit(stmt)
            lowered = self.stmt(stmt, top)
            if top:
                # buffers first needed inside this statement are allocated just before it
                out.extend(self.hoisted)
                self.hoisted = []
            out.extend(lowered)
        return out

    def stmt(self, stmt, top):
        if isinstance(stmt, ast.Assign) and not is_element_write(stmt):
            target = stmt.targets[0].id
            if isinstance(self.env.get(target), ArrayType):
                return self.array_assignment(stmt, target, top)
            before, value = self.scalar(stmt.value, stmt)
            stmt.value = value
            return before + [stmt]
        if isinstance(stmt, ast.Assign):
            view = ast.Subscript(stmt.targets[0].value, stmt.targets[0].slice, ast.Load())
            if self.is_array(view):
                return self.view_assignment(view, stmt.value, stmt, top)
            before, value = self.scalar(stmt.value, stmt)
            stmt.value = value
            # the element's index may compute reductions too; Python evaluates it after the value
            at_index, stmt.targets[0].slice = self.scalar(stmt.targets[0].slice, stmt)
            return before + at_index + [stmt]
        if isinstance(stmt, ast.If):
            before, stmt.test = self.scalar(stmt.test, stmt)
            stmt.body, stmt.orelse = self.block(stmt.body), self.block(stmt.orelse)
            return before + [stmt]
        if isinstance(stmt, ast.For):
            before, stmt.iter = self.scalar(stmt.iter, stmt)
            stmt.body = self.block(stmt.body)
            return before + [stmt]
        if isinstance(stmt, ast.While):
            if not self.has_array_operation(stmt.test):
                stmt.body = self.block(stmt.body)
                return [stmt]
            return self.while_loop(stmt)
        if isinstance(stmt, ast.Assert):
            before, stmt.test = self.scalar(stmt.test, stmt)
            return before + [stmt]
        return [stmt]

    def while_loop(self, stmt):
        """A ``while`` whose condition computes reductions: into a flag before the loop and at the end of its body."""
        flag = self.fresh("_while", "bool")

        def condition():
            before, test = self.scalar(copy.deepcopy(stmt.test), stmt)
            return before + [_at(ast.Assign([_name(flag, True)], test), stmt)]

        first = condition()
        body = self.block(stmt.body)
        again = condition()
        if body and is_exit_test(body[-1]):
            # the loop is left at its exit test without evaluating the condition again
            leaving = body[-1]
            again = [_at(ast.If(ast.UnaryOp(ast.Not(), copy.deepcopy(leaving.test)), again, []), stmt)]
            body[-1:-1] = again
        else:
            body.extend(again)
        stmt.test = _name(flag)
        stmt.body = body
        return first + [stmt]

    def array_assignment(self, stmt, target, top):
        value = stmt.value
        if target in self.params:
            self.refuse(stmt, "array variable", f"assigning to the argument '{target}' is not supported; "
                        "use a new name")
        constructor = isinstance(value, ast.Call) and lookup_call(value.func.id) is not None \
            and lookup_call(value.func.id).result == "array"
        shape = self.constructed_shape(value, stmt) if constructor else self.shape(value, stmt)
        if target in self.allocated and top and not self.same_shape(target, shape):
            # a new array of another shape: a new version of the name, with a buffer of its own
            origin = self.origins.get(target, target)
            version = self.fresh(f"{origin}_", self.env[target])
            self.origins[version] = origin
            self.versions[origin] = version
            self.top_level.add(version)
            stmt.targets[0].id = target = version
        made_from_name = constructor and (not value.args or not self.is_array(value.args[0])
                                          or isinstance(value.args[0], ast.Name))
        if constructor and top and target not in self.allocated and self.single_site(target) and made_from_name:
            self.allocated.add(target)
            self.buffer_shapes[target] = shape
            return [stmt]
        if target not in self.allocated:
            return self.allocate(target, shape, stmt, top) + self.refill(target, value, constructor, stmt)
        checks = self.check_buffer_shape(target, shape, stmt)
        if constructor:
            return checks + self.refill(target, value, constructor, stmt)
        return checks + self.rewrite(target, value, stmt)

    def rewrite(self, target, value, stmt):
        """Statements storing array expression ``value`` into the existing buffer of ``target``."""
        reads_itself = any(isinstance(n, ast.Name) and n.id == target for n in ast.walk(value))
        if not reads_itself:
            return self.fill(target, value, stmt)
        scratch = self.scratch.get(target)
        if scratch is None:
            scratch = self.scratch[target] = self.fresh(f"_{target}_next", self.env[target])
            self.allocations.append((target, scratch))
        copy_back = self.fill(target, _name(scratch), stmt)
        return self.fill(scratch, value, stmt) + copy_back

    def stable(self, expr):
        """Does int expression ``expr`` have the same value wherever it is read after it is first computed?"""
        called = {id(n.func) for n in ast.walk(expr) if isinstance(n, ast.Call)}
        free = {n.id for n in ast.walk(expr) if isinstance(n, ast.Name) and id(n) not in called}
        return all(n in self.params and n not in self.assigned or n in self.top_level or n in self.allocated
                   for n in free)

    def same_shape(self, target, shape):
        """Is ``shape`` surely the shape of ``target``'s buffer (the same extents, written the same way)?"""
        allocated = self.buffer_shapes.get(target)
        if allocated is None or len(allocated) != len(shape):
            return False
        return all(ast.dump(self.canonical(a)) == ast.dump(self.canonical(b)) and self.stable(a)
                   for a, b in zip(allocated, shape))

    def canonical(self, extent, depth=0):
        """``extent`` with each ``a.shape[d]`` of a buffer written as the extent it was allocated with
        (a buffer keeps its shape), so that ``x_work.shape[0]`` and ``x.shape[0]`` compare equal."""
        scalarizer = self

        class Substitute(ast.NodeTransformer):
            def visit_Subscript(self, node):
                array = node.value.value.id if isinstance(node.value, ast.Attribute) and node.value.attr == "shape" \
                    and isinstance(node.value.value, ast.Name) else None
                shape = scalarizer.buffer_shapes.get(array)
                if shape is not None and isinstance(node.slice, ast.Constant) and node.slice.value < len(shape) \
                        and depth < 8:
                    return scalarizer.canonical(shape[node.slice.value], depth + 1)
                return self.generic_visit(node)

        return Substitute().visit(copy.deepcopy(extent))

    def check_buffer_shape(self, target, shape, where):
        """Asserts that an array of extents ``shape`` fits ``target``'s buffer, where that is not sure."""
        if self.same_shape(target, shape):
            return []
        line = self.where(where)
        name = self.origins.get(target, target)
        what = "an array" if name.startswith("_") else f"'{name}'"   # srcad's own names mean nothing to a user
        message = (f"{what} is given an array of another shape inside a loop or "
                   f"branch (line {line['lineno']} of {os.path.basename(line['filename'])}); srcad keeps one "
                   "buffer for an array there: give the new array a name of its own")
        checks = []
        for dim, extent in enumerate(shape):
            if ast.dump(extent) != ast.dump(self.extent(target, dim)):
                test = ast.Compare(self.extent(target, dim), [ast.Eq()], [copy.deepcopy(extent)])
                checks.append(_at(ast.Assert(test, ast.Constant(message)), where))
        return checks

    def allocate(self, target, shape, where, top):
        """The statement allocating ``target``'s buffer, or [] when it goes before the top-level statement."""
        self.buffer_shapes[target] = shape
        dtype = self.env[target].dtype
        spelled = "np.bool_" if dtype == "bool" else f"np.{dtype}"
        args = [ast.Tuple(shape, ast.Load())] + ([] if dtype == "float64" else [_name(spelled)])
        alloc = _at(ast.Assign([_name(target, True)], allocation.array("np.empty", args)), where)
        self.allocated.add(target)
        if top:
            return [alloc]
        if not all(self.stable(extent) for extent in shape):
            # 'n = W.shape[0]' in the loop, then 'np.empty(n)': the size is the same in every iteration
            shape = [self.invariant(extent) for extent in shape]
            if any(extent is None for extent in shape):
                self.refuse(where, "array variable", f"the size of '{target}' changes inside the loop or branch "
                            "that creates it; create it once before the loop")
            self.buffer_shapes[target] = shape
            alloc.value.args[0] = ast.Tuple(shape, ast.Load())
        self.hoisted.append(alloc)
        return []

    def invariant(self, extent):
        """``extent`` with each name that every assignment gives the same stable value written as that
        value, where the result is stable; else None."""
        definitions = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                definitions.setdefault(node.targets[0].id, []).append(node.value)
            elif isinstance(node, (ast.For, ast.AugAssign)) or isinstance(node, ast.Assign):
                for store in ast.walk(node.target if isinstance(node, (ast.For, ast.AugAssign)) else node):
                    if isinstance(store, ast.Name) and isinstance(store.ctx, ast.Store):
                        definitions.setdefault(store.id, []).append(None)
        scalarizer = self

        class Substitute(ast.NodeTransformer):
            def visit_Name(self, node):
                values = definitions.get(node.id, [])
                if scalarizer.stable(node) or not values or any(v is None for v in values) \
                        or len({ast.dump(v) for v in values}) != 1 or not scalarizer.stable(values[0]):
                    return node
                return copy.deepcopy(values[0])

        substituted = Substitute().visit(copy.deepcopy(extent))
        return substituted if self.stable(substituted) else None

    def single_site(self, target):
        return sum(1 for n in ast.walk(self.tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
                   and n.id == target) == 1

    def constructed_shape(self, call, where):
        name = call.func.id
        if name in ("np.zeros", "np.ones", "np.empty"):
            shape = call.args[0]
            return [copy.deepcopy(d) for d in (shape.elts if isinstance(shape, ast.Tuple) else [shape])]
        return self.shape(call.args[0], where)

    def refill(self, target, value, constructor, where):
        """Statements giving the existing buffer ``target`` the value of ``value``."""
        if not constructor:
            return self.fill(target, value, where)
        name = value.func.id
        if name in ("np.empty", "np.empty_like"):
            return []
        if name == "np.copy":
            return self.fill(target, value.args[0], where)
        fill_value = ast.Constant(1.0 if name in ("np.ones", "np.ones_like") else 0.0)
        shape = self.shape(_name(target), where)
        indices = [self.fresh("_e", "int") for _ in shape]
        store = ast.Subscript(_name(target), _index([_name(i) for i in indices]), ast.Store())
        return self.loops(indices, shape, [_at(ast.Assign([store], fill_value), where)], where)

    def view_assignment(self, view, value, where, top):
        """``a[1:n] = expr`` or ``A[i] = row``: a loop over the elements of the view.

        As in NumPy the value is computed before any element is stored: where it
        reads the array other than element by element at the very places stored,
        it is computed into an array of its own first.
        """
        matrix = transposed(view.value)
        if isinstance(matrix, ast.Name) and self.env[matrix.id].ndim == 2:
            return self.view_assignment(*self.untransposed(view, matrix, value), where, top)
        if not isinstance(view.value, ast.Name):
            self.refuse(where, "view", f"writing through '{ast.unparse(view.value)}' is not supported: write "
                        f"into the elements of '{_root_name(view.value)}' itself, or into a copy")
        root = view.value.id
        t = self.type(value)
        if _is_whole(view) and root in self.allocated and root not in self.params \
                and isinstance(t, ArrayType) and t.ndim == self.env[root].ndim \
                and not any(_is_one(extent) for extent in self.shape(value, where)):
            # every element of an array the function owns, as 'a += e' writes them: a new value for its buffer
            checks = []
            for extent, value_extent in zip(self.shape(_name(root), where), self.shape(value, where)):
                self.check_equal(extent, value_extent, where, checks)
            return checks + self.rewrite(root, value, where)
        shape = self.shape(view, where)
        before = []
        if isinstance(t, ArrayType):
            before = self.check_fits(shape, self.shape(value, where), where)
            if any(isinstance(n, ast.Name) and n.id == root for n in ast.walk(value)) \
                    and not self.elementwise_over(view, value):
                staged = self.fresh(f"_{root}_value", ArrayType(self.env[root].dtype, t.ndim))
                value_shape = self.shape(value, where)
                before += self.allocate(staged, value_shape, where, top) + self.fill(staged, value, where)
                value = _name(staged)
        indices = [self.fresh("_e", "int") for _ in shape]
        outer, inner = before, []
        positions = [_name(i) for i in indices]
        element = self.element(value, positions, where, outer, inner)
        target = self.element(view, positions, where, outer, inner)
        target.ctx = ast.Store()
        body = inner + [_at(ast.Assign([target], element), where)]
        return outer + self.loops(indices, shape, body, where)

    def untransposed(self, view, matrix, value):
        """``M.T[p, q] = v`` as ``M[q, p] = v.T``: the view and value written over the matrix itself."""
        parts = list(_subscript_parts(view))
        parts += [ast.Slice(None, None, None) for _ in range(2 - len(parts))]
        sliced = sum(isinstance(p, ast.Slice) for p in parts)
        flipped = ast.Subscript(_name(matrix.id), ast.Tuple(list(reversed(parts)), ast.Load()), ast.Load())
        t = self.type(value)
        if isinstance(t, ArrayType) and t.ndim == 2:
            value = ast.Call(_name("np.transpose"), [value], [])
        elif isinstance(t, ArrayType) and t.ndim == 1 and sliced == 2:
            # a row of the transposed view is a column of the matrix
            value = ast.Subscript(value, ast.Tuple([ast.Slice(None, None, None), ast.Constant(None)], ast.Load()),
                                  ast.Load())
        return flipped, value

    def check_fits(self, shape, value_shape, where):
        """Asserts that an array of extents ``value_shape`` broadcasts to ``shape``, where that is not sure."""
        checks = []
        for extent, value_extent in zip(reversed(shape), reversed(value_shape)):
            if not _is_one(value_extent):
                self.check_equal(extent, value_extent, where, checks)
        return checks

    def elementwise_over(self, view, value):
        """Does ``value`` read the array of ``view`` only at the element being stored, through
        elementwise operations?  Then the elements can be stored as they are computed."""
        root = view.value.id
        plain = ast.dump(ast.Subscript(view.value, view.slice, ast.Load()))
        if any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and lookup_array_operation(n.func.id)
               for n in ast.walk(value)):
            return False
        through_view = {id(n.value) for n in ast.walk(value) if isinstance(n, ast.Subscript)
                        and ast.dump(ast.Subscript(n.value, n.slice, ast.Load())) == plain}
        return all(id(n) in through_view for n in ast.walk(value) if isinstance(n, ast.Name) and n.id == root)

    def fill(self, target, value, where):
        """Loops that store every element of array expression ``value`` into ``target``."""
        shape = self.shape(value, where)
        indices = [self.fresh("_e", "int") for _ in shape]
        outer, inner = [], []
        element = self.element(value, [_name(i) for i in indices], where, outer, inner)
        index = _name(indices[0]) if len(indices) == 1 else ast.Tuple([_name(i) for i in indices], ast.Load())
        body = inner + [_at(ast.Assign([ast.Subscript(_name(target), index, ast.Store())], element), where)]
        return outer + self.loops(indices, shape, body, where)

    def loops(self, indices, shape, body, where):
        for index, extent in reversed(list(zip(indices, shape))):
            body = [_at(ast.For(_name(index, True), ast.Call(_name("range"), [copy.deepcopy(extent)], []),
                                body, [], None), where)]
        return body

    # scalar expressions that contain array reductions ----------------------
    def has_array_operation(self, expr):
        return any(isinstance(n, ast.Call) and lookup_array_operation(n.func.id) is not None
                   or self.is_element_of_expression(n) for n in ast.walk(expr))

    def is_element_of_expression(self, node):
        """``x[1:][0]``, ``(A @ B)[i, j]``: an element of an array that is not a variable."""
        return isinstance(node, ast.Subscript) and not isinstance(node.value, ast.Name) \
            and self.is_array(node.value) and not self.is_array(node)

    def scalar(self, expr, where):
        """(statements, expression): ``expr`` with its reductions computed by the statements first.

        The statements keep Python's order of evaluation: a reduction inside one
        branch of a conditional expression, or after ``and``/``or``, is computed
        only when that operand is evaluated.
        """
        if not self.has_array_operation(expr):
            if self.is_array(expr):
                self.refuse(where, "array value", "an array can only be assigned to a variable here")
            return [], expr
        before = []
        expr = self.lower_scalar(expr, where, before)
        if self.is_array(expr):
            self.refuse(where, "array value", "an array can only be assigned to a variable here")
        return before, expr

    def lower_scalar(self, expr, where, before):
        scalarizer = self

        class Reduce(ast.NodeTransformer):
            def visit_Call(self, node):
                self.generic_visit(node)
                if lookup_array_operation(node.func.id) is not None and not scalarizer.is_array(node):
                    return scalarizer.reduction(node, where, before)
                return node

            def visit_Subscript(self, node):
                self.generic_visit(node)
                if scalarizer.is_element_of_expression(node):
                    shape = scalarizer.shape(node.value, where)
                    index = [scalarizer.from_end(part, extent, lambda e: e, lambda e: e)
                             for part, extent in zip(_subscript_parts(node), shape)]
                    return scalarizer.element(node.value, index, where, before, before)
                return node

            def visit_IfExp(self, node):
                if not scalarizer.has_array_operation(node.body) and \
                        not scalarizer.has_array_operation(node.orelse):
                    return self.generic_visit(node)
                return scalarizer.conditional(node, where, before)

            def visit_BoolOp(self, node):
                if not any(scalarizer.has_array_operation(v) for v in node.values[1:]):
                    return self.generic_visit(node)
                return scalarizer.short_circuit(node, where, before)

        return Reduce().visit(expr)

    def conditional(self, node, where, before):
        """``b if test else c`` whose branches compute reductions: an ``if`` statement into a temporary."""
        result = self.fresh("_c", self.type(node))
        test = self.lower_scalar(node.test, where, before)
        branches = []
        at_top, self.at_top = self.at_top, False   # buffers made in a branch are allocated before the statement
        for branch in (node.body, node.orelse):
            stmts = []
            value = self.lower_scalar(branch, where, stmts)
            branches.append(stmts + [_at(ast.Assign([_name(result, True)], value), where)])
        self.at_top = at_top
        before.append(_at(ast.If(test, *branches), where))
        return _name(result)

    def short_circuit(self, node, where, before):
        """``a and b`` / ``a or b`` whose later operands compute reductions: evaluated only when Python would."""
        result = self.fresh("_c", self.type(node))
        guarded = []
        at_top = self.at_top
        for position, operand in enumerate(node.values):
            stmts = []
            value = self.lower_scalar(operand, where, stmts)
            guarded.append(stmts + [_at(ast.Assign([_name(result, True)], value), where)])
            self.at_top = False   # later operands are evaluated in a branch
        self.at_top = at_top
        block = guarded[-1]
        for stmts in reversed(guarded[:-1]):
            test = _name(result) if isinstance(node.op, ast.And) else ast.UnaryOp(ast.Not(), _name(result))
            block = stmts + [_at(ast.If(test, block, []), where)]
        before.extend(block)
        return _name(result)

    def reduction(self, node, where, before):
        """The value of an array operation whose result is a scalar; its loops go to ``before``."""
        name = node.func.id
        if self.type(node) not in ("float", "int", "bool"):
            operands = ", ".join(describe(self.type(a)) for a in node.args)
            self.refuse(where, name, f"{name} of arguments of type {operands} is not supported")
        return lookup_array_operation(name).element(_Kit(self, where, before, before), node.args, [])

    # shapes and elements ----------------------------------------------------
    def shape(self, expr, where):
        """Extents (int expressions) of array expression ``expr``."""
        t = self.type(expr)
        if not isinstance(t, ArrayType):
            self.refuse(where, "array expression", "expected an array")
        if isinstance(expr, ast.Name):
            return [self.extent(expr.id, d) for d in range(t.ndim)]
        if isinstance(expr, ast.Subscript):
            base_shape = self.shape(expr.value, where)
            out = []
            dim = 0
            for part in _subscript_parts(expr):
                if _is_new_axis(part):
                    out.append(ast.Constant(1))
                    continue
                if isinstance(part, ast.Slice) and part.lower is None and part.upper is None and part.step is None:
                    out.append(base_shape[dim])
                elif isinstance(part, ast.Slice):
                    lo, hi, step = self.slice_bounds(part, base_shape[dim], where)
                    out.append(ast.Call(_name("range_len"), [lo, hi, step], []))
                dim += 1
            return out + base_shape[dim:]
        if isinstance(expr, (ast.BinOp, ast.UnaryOp, ast.Call, ast.Compare)):
            operation = lookup_array_operation(expr.func.id) if isinstance(expr, ast.Call) else None
            if operation is not None:
                return operation.shape(_Kit(self, where, None, None), expr.args)
            if isinstance(expr, ast.Call) and expr.func.id in CONSTRUCTORS:
                return self.constructed_shape(expr, where)
            operands = [expr.left, expr.right] if isinstance(expr, ast.BinOp) else \
                [expr.left] + expr.comparators if isinstance(expr, ast.Compare) else \
                [expr.operand] if isinstance(expr, ast.UnaryOp) else list(expr.args)
            return self.broadcast_shape(operands, where)
        if isinstance(expr, ast.IfExp):
            return self.broadcast_shape([expr.body, expr.orelse], where)
        self.refuse(where, ast.unparse(expr), "this array expression is not supported yet")

    def broadcast_shape(self, operands, where):
        """NumPy's broadcasting: dimensions aligned from the last; an extent known to be 1 stretches."""
        shapes = [self.shape(o, where) for o in operands if self.is_array(o)]
        if not shapes:
            self.refuse(where, "array expression", "expected an array")
        ndim = max(len(s) for s in shapes)
        out = []
        for dim in range(ndim):
            candidates = [s[dim - ndim + len(s)] for s in shapes if dim >= ndim - len(s)]
            stretched = [c for c in candidates if not _is_one(c)]
            out.append(stretched[0] if stretched else candidates[0])
        return out

    def check_broadcast(self, operands, where, outer):
        """Statements asserting at run time that the operands' extents broadcast (equal, or known to be 1)."""
        shapes = [self.shape(o, where) for o in operands if self.is_array(o)]
        ndim = max((len(s) for s in shapes), default=0)
        for dim in range(ndim):
            extents = [s[dim - ndim + len(s)] for s in shapes if dim >= ndim - len(s)]
            extents = [e for e in extents if not _is_one(e)]
            for extent in extents[1:]:
                self.check_equal(extents[0], extent, where, outer)

    def check_equal(self, a, b, where, outer):
        if ast.dump(a) == ast.dump(b):
            return
        line = self.where(where)
        message = f"operands of different shapes (line {line['lineno']} of {os.path.basename(line['filename'])})"
        check = _at(ast.Assert(ast.Compare(copy.deepcopy(a), [ast.Eq()], [copy.deepcopy(b)]),
                               ast.Constant(message)), where)
        if not any(ast.dump(check) == ast.dump(s) for s in outer):
            outer.append(check)

    def extent(self, array, dim):
        return ast.Subscript(ast.Attribute(_name(array), "shape", ast.Load()), ast.Constant(dim), ast.Load())

    def nonnegative(self, expr):
        return is_nonnegative(expr, self.nonnegative_names)

    def slice_bounds(self, part, length, where):
        """(start, stop, step) of a slice of a dimension of extent ``length``, clamped as Python does.

        The step must be a constant or known to be positive; negative starts and
        stops count from the end.
        """
        step = part.step if part.step is not None else ast.Constant(1)
        for bound in (part.lower, part.upper, step):
            if bound is not None:
                before, _ = self.scalar(bound, where)
                if before:
                    self.refuse(where, "slice", "compute the slice bounds into variables first")
        constant_step = _constant_int(step)
        if constant_step is None and not self.nonnegative(step):
            self.refuse(where, "slice step", "a slice step must be a constant or a length known to be positive")
        n = copy.deepcopy(length)
        if constant_step is None or constant_step > 0:
            lo = ast.Constant(0) if part.lower is None else \
                self.from_end(part.lower, length, lambda e: ast.Call(_name("max"), [e, ast.Constant(0)], []),
                              lambda e: e)
            hi = n if part.upper is None else \
                self.from_end(part.upper, length, lambda e: e,
                              lambda e: ast.Call(_name("min"), [e, copy.deepcopy(length)], []))
        else:
            last = ast.BinOp(copy.deepcopy(length), ast.Sub(), ast.Constant(1))
            lo = last if part.lower is None else \
                self.from_end(part.lower, length, lambda e: e,
                              lambda e: ast.Call(_name("min"), [e, copy.deepcopy(last)], []))
            hi = ast.Constant(-1) if part.upper is None else \
                self.from_end(part.upper, length, lambda e: ast.Call(_name("max"), [e, ast.Constant(-1)], []),
                              lambda e: e)
        return lo, hi, step

    def from_end(self, bound, length, clamp_negative, clamp_nonnegative):
        """A slice bound: counted from the end when negative, then clamped to the dimension."""
        constant = _constant_int(bound)
        if constant is not None and constant < 0:
            counted = ast.BinOp(copy.deepcopy(length), ast.Sub(), ast.Constant(-constant))
            return clamp_negative(counted)
        if constant is not None or self.nonnegative(bound):
            return clamp_nonnegative(bound)
        counted = ast.BinOp(copy.deepcopy(bound), ast.Add(), copy.deepcopy(length))
        negative = ast.Compare(copy.deepcopy(bound), [ast.Lt()], [ast.Constant(0)])
        return ast.IfExp(negative, clamp_negative(counted), clamp_nonnegative(copy.deepcopy(bound)))

    def element(self, expr, index, where, outer, inner):
        """The scalar expression of ``expr``'s element at ``index`` (a list of int expressions).

        Scalar parts are computed once into ``outer`` statements; per-element
        helper statements (inner products) go to ``inner``.  An operand of fewer
        dimensions than ``index`` takes the last ones (broadcasting).
        """
        t = self.type(expr)
        if not isinstance(t, ArrayType):
            before, value = self.scalar(expr, where)
            if before:
                outer.extend(before)
            return value
        index = list(index[len(index) - t.ndim:])
        if isinstance(expr, ast.Name):
            return ast.Subscript(_name(expr.id), _index(index), ast.Load())
        shape = self.shape(expr, where)
        index = [ast.Constant(0) if _is_one(extent) else position for position, extent in zip(index, shape)]
        if isinstance(expr, ast.Subscript):
            rest = list(index)
            full = []
            base_shape = self.shape(expr.value, where)
            dim = 0
            for part in _subscript_parts(expr):
                if _is_new_axis(part):
                    rest.pop(0)
                    continue
                if not isinstance(part, ast.Slice):
                    # an index computed by a reduction (``M[int(np.dot(x, x))]``) is one scalar for every element
                    computed, part = self.scalar(part, where)
                    outer.extend(computed)
                if isinstance(part, ast.Slice):
                    lo, _, step = self.slice_bounds(part, base_shape[dim], where)
                    position = rest.pop(0)
                    full.append(simplify(ast.BinOp(copy.deepcopy(lo), ast.Add(),
                                                   ast.BinOp(position, ast.Mult(), copy.deepcopy(step)))))
                elif isinstance(expr.value, ast.Name):
                    full.append(part)   # a read of the array itself: negative indices count from the end
                else:
                    full.append(self.from_end(part, base_shape[dim], lambda e: e, lambda e: e))
                dim += 1
            return self.element(expr.value, full + rest, where, outer, inner)
        if isinstance(expr, (ast.BinOp, ast.Compare)):
            self.check_broadcast([expr.left] + ([expr.right] if isinstance(expr, ast.BinOp) else expr.comparators),
                                 where, outer)
        if isinstance(expr, ast.BinOp):
            return ast.BinOp(self.element(expr.left, index, where, outer, inner), expr.op,
                             self.element(expr.right, index, where, outer, inner))
        if isinstance(expr, ast.UnaryOp):
            return ast.UnaryOp(expr.op, self.element(expr.operand, index, where, outer, inner))
        if isinstance(expr, ast.Compare):
            return ast.Compare(self.element(expr.left, index, where, outer, inner), expr.ops,
                               [self.element(expr.comparators[0], index, where, outer, inner)])
        if isinstance(expr, ast.IfExp):
            self.check_broadcast([expr.body, expr.orelse], where, outer)
            test = self.element(expr.test, index, where, outer, inner)
            return ast.IfExp(test, self.element(expr.body, index, where, outer, inner),
                             self.element(expr.orelse, index, where, outer, inner))
        if isinstance(expr, ast.Call):
            name = expr.func.id
            args = expr.args
            operation = lookup_array_operation(name)
            if operation is not None:
                return operation.element(_Kit(self, where, outer, inner), args, index)
            if name in ("np.zeros", "np.ones", "np.zeros_like", "np.ones_like"):
                return ast.Constant(1.0 if "ones" in name else 0.0)
            if name == "np.copy":
                return self.element(args[0], index, where, outer, inner)
            rule = lookup_call(name)
            if rule is not None and rule.result not in ("array", "array_op"):
                self.check_broadcast(args, where, outer)
                return ast.Call(_name(name), [self.element(a, index, where, outer, inner) for a in args], [])
        self.refuse(where, ast.unparse(expr), "this array expression is not supported yet")

    def axis(self, args, where):
        axis = _constant_int(args[1])
        ndim = self.type(args[0]).ndim
        if axis is None or not -ndim <= axis < ndim:
            self.refuse(where, "axis", f"the axis must be a constant integer from {-ndim} to {ndim - 1}")
        return axis % ndim


class _Kit:
    """What the rules of array operations use to lower an element (see rules/array_operations.py).

    Helper statements go to ``inner`` (they may read the indices of the loops
    being built); scalar parts that read no index are computed once, in ``outer``.
    """

    def __init__(self, scalarizer, where, outer, inner):
        self.scalarizer = scalarizer
        self.where = where
        self.outer = outer
        self.inner = inner

    def type(self, expr):
        return self.scalarizer.type(expr)

    def ndim(self, expr):
        t = self.type(expr)
        return t.ndim if isinstance(t, ArrayType) else 0

    def shape(self, expr):
        return self.scalarizer.shape(expr, self.where)

    def broadcast_shape(self, args):
        return self.scalarizer.broadcast_shape(args, self.where)

    def check_broadcast(self, args):
        """Assert at run time that the arrays among ``args`` broadcast together."""
        self.scalarizer.check_broadcast(args, self.where, self.outer)

    def check_equal(self, a, b):
        """Assert at run time that the extents ``a`` and ``b`` are equal."""
        self.scalarizer.check_equal(a, b, self.where, self.outer)

    def element(self, expr, index):
        return self.scalarizer.element(expr, list(index), self.where, self.outer, self.inner)

    def fresh(self, stem, type_):
        return self.scalarizer.fresh(stem, type_)

    def axis(self, args):
        return self.scalarizer.axis(args, self.where)

    def refuse(self, construct, message):
        self.scalarizer.refuse(self.where, construct, message)

    def emit(self, stmt):
        """Add a statement at this point of the lowering (inside the loops being built)."""
        self.inner.append(_at(stmt, self.where))

    def loop(self, indices, extents, body):
        """A loop nest over ``indices``; ``body(kit)`` emits its statements."""
        stmts = []
        body(_Kit(self.scalarizer, self.where, self.outer, stmts))
        self.inner.extend(self.scalarizer.loops(indices, extents, stmts, self.where))

    def materialize(self, stem, dtype, extents, fill):
        """A new array of ``extents``, filled once by ``fill(kit, name)`` before the statement that reads it."""
        scalarizer = self.scalarizer
        buffer = scalarizer.fresh(stem, ArrayType(dtype, len(extents)))
        self.outer.extend(scalarizer.allocate(buffer, [copy.deepcopy(e) for e in extents], self.where,
                                              scalarizer.at_top))
        fill(_Kit(scalarizer, self.where, self.outer, self.outer), buffer)
        return buffer

    def accumulate(self, acc, indices, extents, start, update):
        """``acc = start`` then ``acc = update`` in a loop nest over ``indices``; returns ``acc``.

        ``update(kit)`` builds the new value with a kit whose helper statements
        land inside the innermost loop; ``start`` is an expression or a function
        of this kit, lowered after ``update``.
        """
        helpers = []
        value = update(_Kit(self.scalarizer, self.where, self.outer, helpers))
        first = start(self) if callable(start) else start
        where = self.where
        self.inner.append(_at(ast.Assign([_name(acc, True)], first), where))
        body = helpers + [_at(ast.Assign([_name(acc, True)], value), where)]
        self.inner.extend(self.scalarizer.loops(indices, extents, body, where))
        return _name(acc)


class _Renamer(ast.NodeTransformer):
    """Reads and writes of names given a new version, under that version's name."""

    def __init__(self, versions):
        self.versions = versions

    def visit_Name(self, node):
        node.id = self.versions.get(node.id, node.id)
        return node


def _root_name(expr):
    """The array variable under subscripts, attributes and calls of ``expr``."""
    while not isinstance(expr, ast.Name):
        expr = expr.args[0] if isinstance(expr, ast.Call) else expr.value
    return expr.id


def _is_whole(view):
    """Is subscript ``view`` all of its array, as ``a[:]`` or ``a[:, :]`` is?"""
    return all(isinstance(p, ast.Slice) and p.lower is None and p.upper is None and p.step is None
               for p in _subscript_parts(view))


def _subscript_parts(expr):
    return expr.slice.elts if isinstance(expr.slice, ast.Tuple) else [expr.slice]


def _is_new_axis(part):
    return isinstance(part, ast.Constant) and part.value is None


def _is_one(extent):
    return isinstance(extent, ast.Constant) and extent.value == 1


def _constant_int(expr):
    if isinstance(expr, ast.Constant) and isinstance(expr.value, int) and not isinstance(expr.value, bool):
        return expr.value
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
        inner = _constant_int(expr.operand)
        return None if inner is None else -inner
    return None


def _index(index):
    return index[0] if len(index) == 1 else ast.Tuple(list(index), ast.Load())


def scalarize(tree, env, source_map):
    """Rewrite array expressions of ``tree`` (in place) into loops; returns the tree."""
    if not _has_arrays(tree, env):
        return tree
    scalarizer = _Scalarizer(tree, env, source_map)
    body = scalarizer.block(tree.body, top=True)
    for target, scratch in scalarizer.allocations:
        position = next(i for i, s in enumerate(body)
                        if isinstance(s, ast.Assign) and not is_element_write(s) and s.targets[0].id == target)
        alloc = _at(ast.Assign([_name(scratch, True)], allocation.array("np.empty_like", [_name(target)])),
                    body[position])
        body.insert(position + 1, alloc)
    tree.body = body
    return tree


def _has_arrays(tree, env):
    """Whether ``tree`` has an array: a variable, or a call that makes one (``np.ones(4)`` in
    ``np.sum(np.ones(4) * x)``, where every variable is a scalar); any array expression has one of them."""
    return any(isinstance(t, ArrayType) for t in env.values()) or any(
        isinstance(node, ast.Call) and isinstance(type_of(node, env), ArrayType) for node in ast.walk(tree))

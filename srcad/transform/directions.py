"""Vector mode: a tangent or adjoint function that carries a block of K directions at once.

The pass rewrites a generated derivative function so that every derivative
variable gains a trailing direction axis: a scalar's tangent (or adjoint)
becomes a length-K array, an array ``x``'s becomes an array of shape
``x.shape + (K,)``.  K is read at run time from the seed (the first tangent
argument, or the cotangent ``_seed``).

Each assignment to a derivative becomes the body of a loop over the
direction index; the factors that do not depend on the direction (the
partials) are computed once, before the loop, into temporaries.  Consecutive
derivative assignments share one direction loop: the primal statements
between them move before it, which is safe because the loop reads only
derivatives, hoisted temporaries and names those statements leave alone (a
statement that writes a name the loop reads closes the loop first).  A
scalar derivative that lives inside one direction loop only, written before
it is read, stays a plain scalar; the others are allocated once, at the top
of the function, and never reassigned (a reassigned array costs reference
counting on every iteration)::

    _t1_dot = W1[i, j] * _t2_dot            _p1 = W1[i, j]
    s_dot = s_dot + _t1_dot         ->      for _k in range(_K):
                                                _t1_dot = _p1 * _t2_dot[_k]
                                                s_dot[_k] = s_dot[_k] + _t1_dot

Tape pushes and pops of primal values are left alone, so a reverse sweep
records the forward sweep once for the whole block of cotangents.  A push of
a derivative (the tangent of an adjoint records tangents beside values,
:func:`srcad.transform.tape.tangent_of_marker`) pushes its K entries, one a
direction, and the matching pop takes them back in the reverse order; the
markers are lowered to buffer code after this pass, so a tape simply needs
K entries where it needed one.  The pass handles ``d = d + e`` and ``d += e`` alike.
"""

import ast
import copy

from ..backend import allocation
from ..analysis import ArrayType
from ..errors import UnsupportedError
from . import tape
from .common import dump, located, name

DIRECTION_LOOP = "srcad_directions"   # attribute marking a generated direction loop


class _Group:
    """A run of statements that becomes: its primal statements, then one direction loop."""

    def __init__(self):
        self.prefix = []      # primal statements and hoisted partials, in their original order
        self.body = []        # the derivative statements, one direction each
        self.reads = set()    # primal names the loop body reads


class Directions:
    """Rewrites one derivative function for a block of directions.

    ``derivs`` maps each derivative variable to the type of its primal (an
    ``ArrayType`` or a scalar type); ``count_source`` is the parameter whose
    trailing dimension is K; ``result_slot`` is the position, in the returned
    tuple, of the derivatives.
    """

    def __init__(self, derivs, names, count_source, result_slot, source_map=None):
        self.derivs = derivs
        self.names = names
        self.count_source = count_source
        self.result_slot = result_slot
        self.source_map = source_map
        self.count = names.exact("_K")
        self.index = names.exact("_k")
        self.groups = []

    # -------------------------------------------------------------- helpers
    def is_array(self, var):
        return isinstance(self.derivs.get(var), ArrayType)

    def ndim(self, var):
        t = self.derivs.get(var)
        return t.ndim if isinstance(t, ArrayType) else 0

    def reads_deriv(self, node):
        return any(isinstance(n, ast.Name) and n.id in self.derivs for n in ast.walk(node))

    def refuse(self, node, what):
        where = {}
        if self.source_map is not None and getattr(node, "lineno", None):
            where = self.source_map.where(node)
        raise UnsupportedError(f"a block of directions cannot carry {what}", construct=ast.unparse(node), **where)

    def zeros(self, like=None):
        """``np.zeros(like.shape + (K,))``, or ``np.zeros(K)`` for a scalar's derivative."""
        if like is None:
            shape = name(self.count)
        else:
            shape = ast.BinOp(ast.Attribute(name(like), "shape", ast.Load()), ast.Add(),
                              ast.Tuple([name(self.count)], ast.Load()))
        return allocation.array("np.zeros", [shape])

    # -------------------------------------------------------------- expressions
    def direction_expr(self, node, group):
        """``node`` for one direction: derivative reads indexed by the direction, the rest hoisted."""
        if not self.reads_deriv(node):
            if isinstance(node, (ast.Name, ast.Constant)):
                if isinstance(node, ast.Name):
                    group.reads.add(node.id)
                return copy.deepcopy(node)
            temp = self.names.fresh("_p")
            group.prefix.append(located(ast.Assign([name(temp, True)], copy.deepcopy(node)), self.statement))
            return name(temp)
        if isinstance(node, ast.Name):
            if self.is_array(node.id):
                self.refuse(node, f"the whole array '{node.id}' inside an element expression")
            return self.scalar_access(node.id, ast.Load())
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in self.derivs:
            return self.element_access(node, ast.Load(), group)
        if isinstance(node, ast.BinOp):
            return ast.BinOp(self.direction_expr(node.left, group), node.op, self.direction_expr(node.right, group))
        if isinstance(node, ast.UnaryOp):
            return ast.UnaryOp(node.op, self.direction_expr(node.operand, group))
        if isinstance(node, ast.Call) and not node.keywords:
            return ast.Call(copy.deepcopy(node.func), [self.direction_expr(a, group) for a in node.args], [])
        if isinstance(node, ast.IfExp):
            return ast.IfExp(self.direction_expr(node.test, group), self.direction_expr(node.body, group),
                             self.direction_expr(node.orelse, group))
        self.refuse(node, "this expression")

    def scalar_access(self, var, ctx):
        access = ast.Subscript(name(var), name(self.index), ctx)
        access.srcad_scalar = var    # may become the plain scalar again (see :meth:`localize`)
        return access

    def element_access(self, node, ctx, group):
        var = node.value.id
        if not self.is_array(var):
            self.refuse(node, f"an element of the scalar derivative '{var}'")
        index = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        for part in index:
            if self.reads_deriv(part):
                self.refuse(node, "an index computed from a derivative")
            group.reads |= {n.id for n in ast.walk(part) if isinstance(n, ast.Name)}
        full = ast.Tuple([copy.deepcopy(p) for p in index] + [name(self.index)], ast.Load())
        return ast.Subscript(name(var), full, ctx)

    def primal_expr(self, node):
        """An expression outside direction loops: only a derivative's shape may be read there."""
        class Shapes(ast.NodeTransformer):
            def visit_Attribute(inner, attr):
                if attr.attr == "shape" and isinstance(attr.value, ast.Name) and attr.value.id in self.derivs:
                    return ast.Subscript(attr, ast.Slice(None, ast.Constant(self.ndim(attr.value.id)), None),
                                         ast.Load())
                return inner.generic_visit(attr)

        node = Shapes().visit(copy.deepcopy(node))
        if self.reads_deriv_outside_shape(node):
            self.refuse(node, "a derivative read outside an assignment")
        return node

    def reads_deriv_outside_shape(self, node):
        shape_bases = {id(n.value) for n in ast.walk(node) if isinstance(n, ast.Attribute) and n.attr == "shape"}
        return any(isinstance(n, ast.Name) and n.id in self.derivs and id(n) not in shape_bases
                   for n in ast.walk(node))

    def result(self, node):
        """A returned derivative: whole arrays as they are, zeros with the direction axis."""
        if isinstance(node, ast.Tuple):
            return ast.Tuple([self.result(e) for e in node.elts], ast.Load())
        if isinstance(node, ast.Name) and node.id in self.derivs:
            return node
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "np.zeros_like":
            return self.zeros(node.args[0].id)
        if isinstance(node, ast.Constant) and node.value == 0:
            return self.zeros()
        self.refuse(node, "this returned derivative")

    # -------------------------------------------------------------- statements
    def target_of(self, stmt):
        target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
        base = target.value if isinstance(target, ast.Subscript) else target
        return target, base.id if isinstance(base, ast.Name) else None

    def block(self, stmts):
        out = []
        group = _Group()

        def close():
            nonlocal group
            out.extend(self.emit(group))
            group = _Group()

        for stmt in stmts:
            if any(isinstance(n, (ast.Break, ast.Continue, ast.Return)) for n in ast.walk(stmt)):
                close()   # derivative statements before a jump must run before it
            entries = self.tape_entries(stmt)
            if entries is not None:
                close()   # the tape keeps the order of the original statements
                out.append(entries)
                continue
            returns = any(isinstance(n, ast.Return) for n in ast.walk(stmt))
            if not self.reads_deriv(stmt) and not returns:
                stores = {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
                if stores & group.reads:
                    close()
                if group.body:
                    group.prefix.append(stmt)
                else:
                    out.append(stmt)
                continue
            if isinstance(stmt, (ast.Assign, ast.AugAssign)):
                target, var = self.target_of(stmt)
                if var in self.derivs:
                    whole = self.whole_array(stmt, target, var)
                    if whole is not None:
                        close()
                        out.append(whole)
                    else:
                        self.direction_stmt(stmt, target, group)
                    continue
                self.refuse(stmt, "a primal value computed from a derivative")
            close()
            if isinstance(stmt, ast.Return):
                value = stmt.value
                if isinstance(value, ast.Tuple) and len(value.elts) > self.result_slot:
                    elts = list(value.elts)
                    elts[self.result_slot] = self.result(elts[self.result_slot])
                    out.append(located(ast.Return(ast.Tuple(elts, ast.Load())), stmt))
                    out[-1].lineno = getattr(stmt, "lineno", None)
                    continue
                self.refuse(stmt, "this return")
            if isinstance(stmt, ast.If):
                new = copy.copy(stmt)
                new.test = self.primal_expr(stmt.test)
                new.body, new.orelse = self.block(stmt.body), self.block(stmt.orelse)
                out.append(new)
            elif isinstance(stmt, (ast.For, ast.While)):
                new = copy.copy(stmt)
                if isinstance(stmt, ast.For):
                    if self.reads_deriv(stmt.iter):
                        self.refuse(stmt.iter, "a loop over a derivative")
                else:
                    new.test = self.primal_expr(stmt.test)
                new.body = self.block(stmt.body)
                out.append(new)
            elif isinstance(stmt, ast.Raise):
                out.append(located(ast.Raise(self.primal_expr(stmt.exc), None), stmt))
                out[-1].lineno = getattr(stmt, "lineno", None)
            else:
                self.refuse(stmt, "this statement")
        close()
        return out

    def tape_entries(self, stmt):
        """A push or pop of a derivative as a loop over its directions, or None for other statements.

        Entries are pushed in the order of the directions and popped in the reverse
        order, so each pop restores the direction its push stored.
        """
        if tape.is_push(stmt):
            var = stmt.value.args[0]
            if not self.reads_deriv(var):
                return None
            if not (isinstance(var, ast.Name) and var.id in self.derivs and not self.is_array(var.id)):
                self.refuse(stmt, "a tape push of this derivative")
            entry = ast.Subscript(name(var.id), name(self.index), ast.Load())
            body = [tape.push(entry, tape.kind_of(stmt), stmt)]
            directions = [name(self.count)]
        elif tape.is_pop(stmt) and self.reads_deriv(stmt.targets[0]):
            var = stmt.targets[0]
            if not (isinstance(var, ast.Name) and var.id in self.derivs and not self.is_array(var.id)):
                self.refuse(stmt, "a tape pop into this derivative")
            entry = ast.Subscript(name(var.id), name(self.index), ast.Store())
            body = [located(ast.Assign([entry], tape.pop_expr(tape.kind_of(stmt))), stmt)]
            last = ast.BinOp(name(self.count), ast.Sub(), ast.Constant(1))
            directions = [last, ast.Constant(-1), ast.Constant(-1)]
        else:
            return None
        loop = ast.For(name(self.index, True), ast.Call(name("range"), directions, []), body, [], None)
        located(loop, stmt)
        setattr(loop, DIRECTION_LOOP, True)   # counted per direction by the cost model
        return loop

    def whole_array(self, stmt, target, var):
        """The statement for a whole derivative array (a creation, a copy, a sum), or None."""
        if not (isinstance(target, ast.Name) and self.is_array(var)):
            return None
        value = stmt.value
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "np.zeros_like":
            new = ast.Assign([name(var, True)], self.zeros(value.args[0].id))
        elif isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "np.copy" \
                and isinstance(value.args[0], ast.Name) and self.is_array(value.args[0].id):
            new = copy.deepcopy(stmt)
        elif isinstance(value, ast.Name) and self.is_array(value.id):
            new = copy.deepcopy(stmt)
        elif isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add) and all(
                isinstance(side, ast.Name) and self.is_array(side.id) for side in (value.left, value.right)):
            new = copy.deepcopy(stmt)
        else:
            self.refuse(stmt, f"this assignment to the whole array '{var}'")
        located(new, stmt)
        new.lineno = getattr(stmt, "lineno", None)
        return new

    def direction_stmt(self, stmt, target, group):
        self.statement = stmt   # where the partials it hoists come from
        value = self.direction_expr(stmt.value, group)
        if isinstance(target, ast.Name):
            if self.is_array(target.id):
                self.refuse(stmt, f"this assignment to the whole array '{target.id}'")
            store = self.scalar_access(target.id, ast.Store())
        else:
            store = self.element_access(target, ast.Store(), group)
        if isinstance(stmt, ast.Assign):
            new = ast.Assign([store], value)
            new.srcad_accumulate = getattr(stmt, "srcad_accumulate", False)   # still printed as +=
        else:
            new = ast.AugAssign(store, stmt.op, value)
        group.body.append(located(new, stmt))

    def emit(self, group):
        if not group.body:
            return group.prefix
        group.body = _without_clear_and_restore(group.body)
        header = ast.Call(name("range"), [name(self.count)], [])
        loop = ast.For(name(self.index, True), header, group.body, [], None)
        ast.copy_location(loop, group.body[0])
        setattr(loop, DIRECTION_LOOP, True)
        self.groups.append(loop)
        return group.prefix + [loop]

    # -------------------------------------------------------------- the function
    def localize(self, fn):
        """Scalar derivatives used in one direction loop only, written there first: plain scalars."""
        loops_of, outside = {}, set()
        in_loop = {id(n) for loop in self.groups for n in ast.walk(loop)}
        for loop in self.groups:
            for node in ast.walk(loop):
                var = getattr(node, "srcad_scalar", None)
                if var is not None:
                    loops_of.setdefault(var, set()).add(id(loop))
        for node in ast.walk(fn):
            if isinstance(node, ast.Name) and node.id in self.derivs and id(node) not in in_loop:
                outside.add(node.id)
        # a variable every loop writes before reading carries no value from one loop to the next
        carried = set(outside)
        for loop in self.groups:
            seen = set()
            for stmt in loop.body:
                reads = {getattr(n, "srcad_scalar") for n in ast.walk(stmt.value) if hasattr(n, "srcad_scalar")}
                if isinstance(stmt, ast.AugAssign):
                    reads.add(getattr(stmt.target, "srcad_scalar", None))
                carried |= reads - seen
                seen |= reads
                target = stmt.target if isinstance(stmt, ast.AugAssign) else stmt.targets[0]
                seen.add(getattr(target, "srcad_scalar", None))
        local = set(loops_of) - carried

        class Scalars(ast.NodeTransformer):
            def visit_Subscript(inner, node):
                var = getattr(node, "srcad_scalar", None)
                if var in local:
                    return ast.copy_location(ast.Name(var, node.ctx), node)
                return inner.generic_visit(node)

        for loop in self.groups:
            loop.body = [Scalars().visit(stmt) for stmt in loop.body]
        return local

    def function(self, fn, new_name):
        body = self.block(fn.body)
        fn = ast.FunctionDef(name=new_name, args=copy.deepcopy(fn.args), body=body, decorator_list=[],
                             returns=None, type_params=[])
        local = self.localize(fn)
        params = {a.arg for a in fn.args.args}
        used = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)}
        count = ast.Subscript(ast.Attribute(name(self.count_source), "shape", ast.Load()),
                              ast.Constant(self.ndim(self.count_source)), ast.Load())
        top = [ast.Assign([name(self.count, True)], count)]
        for var in sorted(v for v in used & set(self.derivs) if not self.is_array(v)):
            if var not in params and var not in local:
                top.append(ast.Assign([name(var, True)], self.zeros()))
        for stmt in top:
            ast.fix_missing_locations(stmt)
            stmt.lineno = None    # bookkeeping, not from a source line: no comment
        fn.body = top + fn.body
        ast.fix_missing_locations(fn)
        return fn


def _without_clear_and_restore(body):
    """Drop ``b[k] = 0.0; b[k] += a`` right after ``a = b[k]``: together they leave ``b[k]`` as it was.

    The adjoint of ``s = s + t`` reads ``s_bar`` aside, clears it and adds it back
    (the partial of ``s`` is 1); on a scalar the compiler removes that, on an
    element of a direction array it would cost a store per direction.
    """
    out = list(body)
    position = 0
    while position + 2 < len(out):
        read, clear, restore = out[position:position + 3]
        if _is_clear_and_restore(read, clear, restore):
            del out[position + 1:position + 3]
        position += 1
    return out


def _is_clear_and_restore(read, clear, restore):
    if not (isinstance(read, ast.Assign) and isinstance(clear, ast.Assign)):
        return False
    element = ast.dump(read.value)
    if ast.dump(clear.targets[0]).replace("Store", "Load") != element or \
            not (isinstance(clear.value, ast.Constant) and clear.value.value == 0):
        return False
    saved = ast.dump(read.targets[0]).replace("Store", "Load")
    if isinstance(restore, ast.AugAssign):
        return isinstance(restore.op, ast.Add) and ast.dump(restore.target).replace("Store", "Load") == element \
            and ast.dump(restore.value) == saved
    if isinstance(restore, ast.Assign) and ast.dump(restore.targets[0]).replace("Store", "Load") == element:
        value = restore.value
        return isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add) and \
            {ast.dump(value.left), ast.dump(value.right)} == {element, saved}
    return False


def _derivative_types(program, suffix, extra=()):
    types = {generated: program.analysis.env.get(var) for (var, kind), generated in program.deriv.memo.items()
             if kind == suffix}
    types.update(extra)
    return types


def vector_tangent(program, fn, new_name):
    """The tangent function ``fn`` for a block of directions: ``x_dot`` of shape ``x.shape + (K,)``.

    Its tape markers (the tangent of an adjoint has them) are left as markers, one
    per direction; :func:`lower_vector_tapes` lowers them.
    """
    derivs = _derivative_types(program, "dot")
    seed = program.deriv.dot(program.wrt_names[0])
    vector = Directions(derivs, program.names, seed, 1, program.source_map).function(fn, new_name)
    dump("vector", vector)
    return vector


def lower_vector_tapes(program, fn, target):
    """Lower the tape markers of vector tangent ``fn`` for ``target``: (function, whether it takes tapes).

    The early return of a full tape gives an empty array with the direction axis for
    a derivative: its value is never read, only its type must match the last return.
    """
    from .program import lower_tapes

    derivs = _derivative_types(program, "dot")

    def zeros(expr):
        if isinstance(expr, ast.Name) and expr.id in derivs:
            kind = derivs[expr.id]
            return tape.zero_value(ArrayType("float64", (kind.ndim if isinstance(kind, ArrayType) else 0) + 1))
        if isinstance(expr, ast.Call):
            # zeros with the direction axis (see Directions.result): ``np.zeros(like.shape + (K,))`` reads a
            # variable that the early return may come before (an adjoint ``x_bar`` whose tangent is zero, as
            # in a Hessian of a function linear in x), so an empty array of the same ndim stands in for it
            shape = expr.args[0]
            like = shape.left.value.id if isinstance(shape, ast.BinOp) else None
            ndim = 1 if like is None else program.analysis.env[like].ndim + 1
            return tape.zero_value(ArrayType("float64", ndim))
        return None

    return lower_tapes(program, fn, target, zeros=zeros)


def vector_adjoint(program, fn, new_name):
    """The adjoint function ``fn`` for a block of cotangents: ``_seed`` of shape ``result.shape + (K,)``.

    The forward sweep (and its tape) is run once for the whole block.
    """
    result_type = program.analysis.env.get(program.outputs.differentiated[0])
    extra = {program.scratch_seed: "float", "_seed": result_type}
    derivs = _derivative_types(program, "bar", extra)
    vector = Directions(derivs, program.names, "_seed", 1, program.source_map).function(fn, new_name)
    dump("vector", vector)
    return vector

"""Jacobians: drivers that run a vector-mode sweep block by block, and the cost model that picks the mode.

A forward Jacobian seeds blocks of columns of the identity into one tangent
sweep each (``f_jvp_block``, see :mod:`.directions`); a reverse Jacobian
seeds blocks of rows into one adjoint sweep each (``f_rev_block``), which
records the forward sweep once per block.  The drivers are generated
``@njit`` functions, so Python and ``@njit`` callers run the same code.

``mode="auto"`` compares the estimated cost of the two:
``blocks(n) * per_block + n * per_direction`` for the tangent sweep against
the same for the adjoint sweep with m, the size of the result.  The costs are
counted from the generated code (:func:`sweep_cost`); m is computed from the
argument shapes when the result's shape is fixed by them, or from a run of
the function otherwise.
"""

import ast
import copy
from ..analysis import ArrayType
from ..frontend.names import NameSource
from ..transform.directions import DIRECTION_LOOP

BLOCK = 64              # directions carried by one sweep
NOMINAL_TRIPS = 16      # the trip count the cost model assumes for a loop it cannot size
_CALL_COST = 8          # a math function, against 1 for an arithmetic operation
_DIRECTION_LOOP_START = 2
# A direction of an adjoint sweep costs more than a tangent direction of the same count: its
# loops run backwards and it accumulates into arrays that the tangent only reads (measured on
# the three-layer network of benchmarks/bench_jacobian.py: 1.3 to 1.4).
ADJOINT_DIRECTION_FACTOR = 1.3
# A reverse Jacobian with at most this many outputs, known from the types, is taken by that many
# scalar adjoint sweeps, the loop of vjp calls a user would write: a vector sweep's arrays of K
# derivatives cost more than they share for so few rows (1.7x two vjp calls on a 2 x 15
# bundle-adjustment residual), and the scalar adjoint compiles in a third of the vector one's time.
SWEEPS_UP_TO = 4


# ---------------------------------------------------------------- the result's shape
def output_dims(program):
    """The result's dimensions as expressions over the arguments, or None when they depend on values.

    ``()`` for a scalar result.  Arrays are created once, at the top level of the
    function, so the result's creation is one statement; its shape is followed
    back through the creations and single assignments it reads.
    """
    result = program.outputs.differentiated[0]
    if not isinstance(program.analysis.env.get(result), ArrayType):
        return ()
    tree = program.tree
    params = {a.arg for a in tree.args.args}
    stores = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            stores[node.id] = stores.get(node.id, 0) + 1
    defined = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
            defined.setdefault(stmt.targets[0].id, stmt.value)

    def resolved_dims(var, depth=0):
        if depth > 20:
            return None
        if var in params:
            if var in stores:
                return None
            t = program.analysis.env.get(var)
            return [_shape_of(var, k) for k in range(t.ndim)]
        value = defined.get(var)
        if value is None or stores.get(var) != 1:
            return None
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
            function = value.func.id
            if function in ("np.zeros", "np.ones", "np.empty", "np.full") and value.args:
                shape = value.args[0]
                parts = shape.elts if isinstance(shape, ast.Tuple) else [shape]
                parts = [scalar(p, depth + 1) for p in parts]
                return None if any(p is None for p in parts) else parts
            if function in ("np.zeros_like", "np.ones_like", "np.empty_like", "np.copy") and \
                    isinstance(value.args[0], ast.Name):
                return resolved_dims(value.args[0].id, depth + 1)
        if isinstance(value, ast.Name):
            return resolved_dims(value.id, depth + 1)
        return None

    def scalar(node, depth):
        """``node`` (an integer expression) over the arguments only, or None."""
        if depth > 20:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return copy.deepcopy(node)
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) \
                and node.value.attr == "shape" and isinstance(node.value.value, ast.Name) \
                and isinstance(node.slice, ast.Constant):
            dims = resolved_dims(node.value.value.id, depth + 1)
            return None if dims is None else copy.deepcopy(dims[node.slice.value])
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len" \
                and isinstance(node.args[0], ast.Name):
            dims = resolved_dims(node.args[0].id, depth + 1)
            return None if not dims else copy.deepcopy(dims[0])
        if isinstance(node, ast.Name):
            if program.analysis.env.get(node.id) != "int":
                return None
            if node.id in params:
                return None if node.id in stores else copy.deepcopy(node)
            value = defined.get(node.id)
            return None if value is None or stores.get(node.id) != 1 else scalar(value, depth + 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv)):
            left, right = scalar(node.left, depth + 1), scalar(node.right, depth + 1)
            return None if left is None or right is None else ast.BinOp(left, node.op, right)
        return None

    return resolved_dims(result)


def _shape_of(var, k):
    return ast.Subscript(ast.Attribute(ast.Name(var, ast.Load()), "shape", ast.Load()), ast.Constant(k), ast.Load())


# ---------------------------------------------------------------- the cost model
def _operations(node):
    """Counted cost of ``node``: an arithmetic operation or a memory access 1, a math function
    :data:`_CALL_COST`; an accumulation ``a[i] += e`` reads before it writes."""
    count = 0
    for n in ast.walk(node):
        if isinstance(n, (ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp, ast.Subscript)):
            count += 1
        elif isinstance(n, ast.Call):
            count += _CALL_COST if isinstance(n.func, ast.Name) and n.func.id.startswith("math.") else 1
        elif isinstance(n, ast.AugAssign):
            count += 2 if isinstance(n.target, ast.Subscript) else 1
    return count


def sweep_cost(fn):
    """``(per_block, per_direction)``: counted operations of one sweep of vector-mode function ``fn``.

    Operations inside a direction loop count per direction, the others once per
    block; a loop multiplies its body by :data:`NOMINAL_TRIPS`.
    """
    def walk(stmts, weight):
        block = direction = 0.0
        for stmt in stmts:
            if isinstance(stmt, ast.For) and getattr(stmt, DIRECTION_LOOP, False):
                block += weight * _DIRECTION_LOOP_START
                direction += weight * sum(_operations(s) for s in stmt.body)
            elif isinstance(stmt, (ast.For, ast.While)):
                header = stmt.iter if isinstance(stmt, ast.For) else stmt.test
                b, d = walk(stmt.body, weight * NOMINAL_TRIPS)
                block += b + weight * _operations(header)
                direction += d
            elif isinstance(stmt, ast.If):
                b1, d1 = walk(stmt.body, weight)
                b2, d2 = walk(stmt.orelse, weight)
                block += weight * _operations(stmt.test) + b1 + b2
                direction += d1 + d2
            else:
                block += weight * _operations(stmt)
        return block, direction

    return walk(fn.body, 1.0)


def estimate(count, per_block, per_direction):
    """Source of the estimated cost of ``count`` directions (a variable's name), block by block."""
    return f"(({count} + {BLOCK - 1}) // {BLOCK}) * {per_block:.1f} + {count} * {per_direction:.1f}"


def _estimated(count, per_block, per_direction):
    """What :func:`estimate`'s source computes for ``count`` directions (with its rounded costs)."""
    return ((count + BLOCK - 1) // BLOCK) * float(f"{per_block:.1f}") + count * float(f"{per_direction:.1f}")


def decided_mode(program, dims, costs):
    """The mode the plan takes for every size the argument types allow, or None where the sizes, known
    only at run time, decide.

    n is known from the types when every wrt argument is a scalar, m when the result is a scalar
    or an array whose shape is made of constants (``dims``); an array counts at least one element
    (an empty one has an empty Jacobian, which either mode gives).  Both costs grow with their
    count, so one known count decides when even the smallest other count loses to it.  An
    ``@njit`` caller then compiles that mode's driver and sweeps alone, not the other mode's
    and the plan (from Python the plan already picks before anything is compiled).
    """
    env = program.analysis.env
    n = len(program.wrt_names) if all(env.get(w) == "float" for w in program.wrt_names) else None
    m = static_size(dims)
    forward = _estimated(n if n is not None else len(program.wrt_names), *costs["forward"])
    reverse = _estimated(m if m is not None else 1, *costs["reverse"])
    if n is not None and m is not None:
        return "forward" if forward <= reverse else "reverse"
    if n is not None and forward <= reverse:
        return "forward"     # forward at the smallest m already: a larger m only adds to reverse
    if m is not None and forward > reverse:
        return "reverse"     # reverse beats forward at the smallest n already
    return None


# ---------------------------------------------------------------- generated drivers
class DriverWriter:
    """Writes the Jacobian drivers of one program as Python source (parsed into functions)."""

    def __init__(self, program, function_names):
        self.p = program
        self.params = [a.arg for a in program.tree.args.args]
        self.local = NameSource(set(self.params) | set(function_names) | {"np", "math"})
        self.names = {}
        self.dims = output_dims(program)
        self.result_type = program.analysis.env.get(program.outputs.differentiated[0])
        self.wrt = program.wrt_names

    def n(self, stem):
        if stem not in self.names:
            self.names[stem] = self.local.exact(stem)
        return self.names[stem]

    @property
    def args(self):
        return ", ".join(self.params)

    def sizes(self):
        """Lines setting ``_n{i}`` (the size of each wrt argument), ``_o{i}`` (its offset) and ``_n``."""
        lines = []
        for i, w in enumerate(self.wrt):
            size = f"{w}.size" if isinstance(self.p.analysis.env.get(w), ArrayType) else "1"
            lines.append(f"{self.n(f'_n{i}')} = {size}")
        offset = "0"
        for i in range(len(self.wrt)):
            lines.append(f"{self.n(f'_o{i}')} = {offset}")
            offset = f"{self.n(f'_o{i}')} + {self.n(f'_n{i}')}"
        lines.append(f"{self.n('_n')} = {offset}")
        return lines

    def result_size(self, primal_name):
        """Lines setting ``_shape`` (array results) and ``_m``: from the argument shapes, or by a run."""
        m = self.n("_m")
        if self.dims == ():
            return [f"{m} = 1"]
        shape = self.n("_shape")
        if self.dims is None:
            return [f"{shape} = {primal_name}({self.args}).shape", f"{m} = 1", *self._product(shape)]
        parts = [ast.unparse(d) for d in self.dims]
        return [f"{shape} = ({', '.join(parts)}{',' if len(parts) == 1 else ''})", f"{m} = 1",
                *self._product(shape)]

    def _product(self, shape):
        m = self.n("_m")
        ndim = self.result_type.ndim
        return [f"{m} = {m} * {shape}[{k}]" for k in range(ndim)]

    def presented(self, parts, shape):
        """The return statement: each ``parts[i]`` (an (m, n_i) matrix) in the shape ``out.shape + in.shape``."""
        out = []
        for i, (w, part) in enumerate(zip(self.wrt, parts)):
            array_in = isinstance(self.p.analysis.env.get(w), ArrayType)
            array_out = self.dims != ()
            if array_in and array_out:
                out.append(f"{part}.reshape({shape} + {w}.shape)")
            elif array_in:
                out.append(f"{part}.reshape({w}.shape)")
            elif array_out:
                out.append(f"{part}.reshape({shape})")
            else:
                out.append(f"{part}[0, 0]")
        if self.p.single_wrt:
            return f"return {out[0]}"
        return f"return ({', '.join(out)}{',' if len(out) == 1 else ''})"

    def forward(self, fname, block_name, grown=None, target=None):
        """The forward driver; a sweep that records (the tangent of a gradient that records) runs through
        ``grown``, ``target``'s helper that grows its tapes, with tapes made once for all blocks."""
        taped = grown is not None
        K, start, c, value, tangent = (self.n(s) for s in ("_K", "_start", "_c", "_value", "_tangent"))
        n, m, J = self.n("_n"), self.n("_m"), self.n("_J")
        row, column, block_columns = self.n("_i"), self.n("_j"), self.n("_columns")
        seeds = [self.n(f"_seed{i}") for i in range(len(self.wrt))]
        ftape, itape = (self.n(s) for s in ("_ftape", "_itape"))

        def block(first):
            lines = [f"{K} = min({BLOCK}, {n} - {start})"]
            for i, w in enumerate(self.wrt):
                seed, size, offset = seeds[i], self.n(f"_n{i}"), self.n(f"_o{i}")
                if isinstance(self.p.analysis.env.get(w), ArrayType):
                    flat = self.n(f"_columns{i}")
                    lines += [f"{seed} = np.zeros({w}.shape + ({K},))",
                              f"{flat} = {seed}.reshape(({size}, {K}))",
                              f"for {c} in range(max(0, {offset} - {start}), min({K}, {offset} + {size} - {start})):",
                              f"    {flat}[{start} + {c} - {offset}, {c}] = 1.0"]
                else:
                    lines += [f"{seed} = np.zeros({K})",
                              f"if 0 <= {offset} - {start} < {K}:",
                              f"    {seed}[{offset} - {start}] = 1.0"]
            if not taped:
                lines.append(f"{value}, {tangent} = {block_name}({self.args}, {', '.join(seeds)})")
            else:
                lines.append(f"{value}, {tangent}, {ftape}, {itape} = "
                             f"{grown}({self.args}, {', '.join(seeds)}, {ftape}, {itape})")
            if first:
                lines += [f"{m} = {tangent}.size // {K}", f"{J} = np.empty(({m}, {n}))"]
            lines += [f"{block_columns} = {tangent}.reshape(({m}, {K}))",
                      *_copy_loops(f"{J}[{row}, {start} + {c}]", f"{block_columns}[{row}, {c}]", (row, m), (c, K))]
            return lines

        body = self.sizes() + [f"{start} = 0"]
        if taped:
            body.append(f"{ftape}, {itape} = {target.start_tapes_source()}")
        body += block(True)
        body.append(f"for {start} in range({BLOCK}, {n}, {BLOCK}):")
        body += ["    " + line for line in block(False)]
        parts = [J] if len(self.wrt) == 1 else []
        for k in range(len(self.wrt) if len(self.wrt) > 1 else 0):
            part, offset, size = self.n(f"_J{k}"), self.n(f"_o{k}"), self.n(f"_n{k}")
            body += [f"{part} = np.empty(({m}, {size}))",
                     *_copy_loops(f"{part}[{row}, {column}]", f"{J}[{row}, {offset} + {column}]", (row, m),
                                 (column, size))]
            parts.append(part)
        body.append(self.presented(parts, f"{value}.shape"))
        return self._function(fname, body)

    def reverse_by_sweeps(self, fname, grown, target):
        """The reverse driver of a result of few entries, known from the types: one scalar adjoint sweep a
        row of the Jacobian, seeded with that entry of the result."""
        r, j, value, grads, flat, seed = (self.n(s) for s in ("_r", "_j", "_value", "_grads", "_flat", "_seed"))
        m = self.n("_m")
        ftape, itape = (self.n(s) for s in ("_ftape", "_itape"))
        body = self.result_size(None) + self.sizes()
        parts = [self.n(f"_J{i}") for i in range(len(self.wrt))]
        body += [f"{part} = np.empty(({m}, {self.n(f'_n{i}')}))" for i, part in enumerate(parts)]
        body += [f"{ftape}, {itape} = {target.start_tapes_source()}", f"for {r} in range({m}):"]
        shape = self.n("_shape") if self.dims != () else None
        if shape:
            body += [f"    {flat} = np.zeros({m})", f"    {flat}[{r}] = 1.0", f"    {seed} = {flat}.reshape({shape})"]
        else:
            body.append(f"    {seed} = 1.0")
        body.append(f"    {value}, {grads}, {ftape}, {itape} = {grown}({self.args}, {seed}, {ftape}, {itape})")
        for i, (w, part) in enumerate(zip(self.wrt, parts)):
            grad = grads if self.p.single_wrt else f"{grads}[{i}]"
            if isinstance(self.p.analysis.env.get(w), ArrayType):
                size = self.n(f"_n{i}")
                body += [f"    {flat} = {grad}.reshape({size})",
                         *("    " + line for line in _copy_loops(f"{part}[{r}, {j}]", f"{flat}[{j}]", (j, size)))]
            else:
                body.append(f"    {part}[{r}, 0] = {grad}")
        body.append(self.presented(parts, shape))
        return self._function(fname, body)

    def reverse(self, fname, block_name, primal_name, grown, target):
        K, start, c, value, grads = (self.n(s) for s in ("_K", "_start", "_c", "_value", "_grads"))
        m, seed, rows = self.n("_m"), self.n("_seed"), self.n("_rows")
        ftape, itape = (self.n(s) for s in ("_ftape", "_itape"))
        body = self.result_size(primal_name) + self.sizes()
        parts = [self.n(f"_J{i}") for i in range(len(self.wrt))]
        body += [f"{part} = np.empty(({m}, {self.n(f'_n{i}')}))" for i, part in enumerate(parts)]
        body += [f"{ftape}, {itape} = {target.start_tapes_source()}",
                 f"for {start} in range(0, {m}, {BLOCK}):",
                 f"    {K} = min({BLOCK}, {m} - {start})"]
        shape = self.n("_shape") if self.dims != () else None
        body.append(f"    {seed} = np.zeros({shape} + ({K},))" if shape else f"    {seed} = np.zeros({K})")
        sweep = f"{grown}({self.args}, {seed}, {ftape}, {itape})"
        body += [f"    {rows} = {seed}.reshape(({m}, {K}))",
                 f"    for {c} in range({K}):",
                 f"        {rows}[{start} + {c}, {c}] = 1.0",
                 f"    {value}, {grads}, {ftape}, {itape} = {sweep}"]
        j, rows_of = self.n("_j"), self.n("_block")
        for i, (w, part) in enumerate(zip(self.wrt, parts)):
            grad = grads if self.p.single_wrt else f"{grads}[{i}]"
            if isinstance(self.p.analysis.env.get(w), ArrayType):
                size = self.n(f"_n{i}")
                body += [f"    {rows_of} = {grad}.reshape(({size}, {K}))",
                         *("    " + line for line in
                           _copy_loops(f"{part}[{start} + {c}, {j}]", f"{rows_of}[{j}, {c}]", (c, K), (j, size)))]
            else:
                body += ["    " + line for line in _copy_loops(f"{part}[{start} + {c}, 0]", f"{grad}[{c}]", (c, K))]
        body.append(self.presented(parts, shape))
        return self._function(fname, body)

    def plan(self, fname, primal_name, forward_cost, reverse_cost):
        n, m = self.n("_n"), self.n("_m")
        body = self.result_size(primal_name) + self.sizes()
        body += [f"return ({n}, {m}, {estimate(n, *forward_cost)}, {estimate(m, *reverse_cost)})"]
        return self._function(fname, body)

    def auto(self, fname, plan_name, forward_name, reverse_name):
        plan = self.n("_plan")
        body = [f"{plan} = {plan_name}({self.args})",
                f"if {plan}[2] <= {plan}[3]:",
                f"    return {forward_name}({self.args})",
                f"return {reverse_name}({self.args})"]
        return self._function(fname, body)

    def _function(self, fname, body):
        text = f"def {fname}({self.args}):\n" + "".join(f"    {line}\n" for line in body)
        fn = ast.parse(text).body[0]
        for node in ast.walk(fn):
            if hasattr(node, "lineno"):
                node.lineno = None     # bookkeeping, not from a source line: no comment
        return fn


def _copy_loops(target, source, *loops):
    """Lines ``for i in range(n): ... target = source``: copies between blocks written as loops over
    elements, not as slice assignments, which take Numba seconds to compile (the forward driver of a
    2 x 15 Jacobian: 4.4 s with a slice assignment, 0.9 s with loops; the reverse one 7.3 s and 1.2 s)."""
    lines = [f"{'    ' * depth}for {index} in range({count}):" for depth, (index, count) in enumerate(loops)]
    return lines + [f"{'    ' * len(loops)}{target} = {source}"]


def static_size(dims):
    """The number of entries of a result of dimensions ``dims`` (see :func:`output_dims`) when they are
    constants, else None."""
    if dims == ():
        return 1
    if dims is None or not all(isinstance(d, ast.Constant) and isinstance(d.value, int) for d in dims):
        return None
    size = 1
    for d in dims:
        size *= d.value
    return size


def primal_function(program, fname):
    """The function itself, in core form: it gives the result's shape when the arguments' shapes do not."""
    fn = copy.deepcopy(program.tree)
    fn.name = fname
    fn.decorator_list = []
    return fn


def _grown(sweep, target):
    """``target``'s helper that runs taped block sweep ``sweep`` with tapes grown until they suffice."""
    from ..backend.tapes import TAPE_NAMES

    params = [a.arg for a in sweep.args.args if a.arg not in TAPE_NAMES]
    return target.grown_function(sweep.name, params, f"{sweep.name}_grown")


class JacobianBuild:
    """The generated functions of one Jacobian (``functions``), the names the caller uses for them
    (``names``: "jacobian", and "plan" for mode="auto"), and the estimated sweep costs."""

    def __init__(self, functions, names, costs, dims, decided=None, reverse_by_sweeps=False):
        self.functions = functions
        self.names = names
        self.costs = costs
        self.dims = dims
        self.decided = decided   # mode="auto": the mode the argument types decide (see decided_mode), or None
        self.reverse_by_sweeps = reverse_by_sweeps   # reverse by scalar adjoint sweeps, one a row (SWEEPS_UP_TO)


def jacobian_functions(program, mode, target, driver_name=None, checkpoint=None):
    """Vector-mode sweeps and drivers of ``program``'s Jacobian for ``target``; ``mode`` is "forward",
    "reverse" or "auto"; ``checkpoint`` as for :func:`srcad.transform.program.adjoint_function`.

    ``driver_name`` names the driver of ``mode`` (by default ``<function>_jacfwd`` and so on)."""
    from ..errors import UnsupportedError
    from ..transform.directions import lower_vector_tapes, vector_adjoint, vector_tangent
    from ..transform.program import adjoint_function, lower_tapes, tangent_function

    if program.outputs.tuple_result:
        raise UnsupportedError("a Jacobian needs a function returning one scalar or one array, not a tuple: "
                               "take the Jacobian of each part", construct="tuple return",
                               **program.source_map.where(program.tree.body[-1]))
    base = program.info.name
    sweeps, costs = [], {}
    forward_taped = False
    if mode in ("forward", "auto"):
        tangent = vector_tangent(program, tangent_function(program), f"{base}_jvp_block")
        tangent, forward_taped = lower_vector_tapes(program, tangent, target)   # the tangent of a taped gradient
        sweeps.append(tangent)
        if forward_taped:
            sweeps.append(_grown(tangent, target))
        costs["forward"] = sweep_cost(tangent)
    dims = output_dims(program)
    size = static_size(dims)
    by_sweeps = size is not None and size <= SWEEPS_UP_TO   # reverse by one scalar adjoint sweep a row
    if mode in ("reverse", "auto"):
        # the adjoint with its tapes lowered (every block sweep takes tapes), then given its direction axis
        lowered, _ = lower_tapes(program, adjoint_function(program, with_value=False, checkpoint=checkpoint), target,
                                 always=True)
        adjoint = lowered if by_sweeps else vector_adjoint(program, lowered, f"{base}_rev_block")
        sweeps.append(adjoint)
        sweeps.append(_grown(adjoint, target))
        per_block, per_direction = sweep_cost(adjoint)
        # a scalar sweep has no direction loop: all of it is the cost of one row
        costs["reverse"] = (0.0, per_block) if by_sweeps else (per_block, per_direction * ADJOINT_DIRECTION_FACTOR)
    primal_name = f"{base}_primal"
    drivers = [] if dims is not None or mode == "forward" else [primal_function(program, primal_name)]
    names = {"forward": f"{base}_jacfwd", "reverse": f"{base}_jacrev", "plan": f"{base}_jacobian_plan",
             "auto": f"{base}_jacobian"}
    if driver_name is not None:
        names[mode] = driver_name
    writer = DriverWriter(program, [fn.name for fn in sweeps + drivers] + list(names.values()))
    if mode in ("forward", "auto"):
        drivers.append(writer.forward(names["forward"], f"{base}_jvp_block",
                                      f"{base}_jvp_block_grown" if forward_taped else None, target))
    if mode in ("reverse", "auto") and by_sweeps:
        drivers.append(writer.reverse_by_sweeps(names["reverse"], f"{adjoint.name}_grown", target))
    elif mode in ("reverse", "auto"):
        drivers.append(writer.reverse(names["reverse"], f"{base}_rev_block", primal_name,
                                      f"{base}_rev_block_grown", target))
    if mode == "auto":
        drivers.append(writer.plan(names["plan"], primal_name, costs["forward"], costs["reverse"]))
        drivers.append(writer.auto(names["auto"], names["plan"], names["forward"], names["reverse"]))
    called = {"jacobian": names[mode]}
    decided = None
    if mode == "auto":
        called.update(plan=names["plan"], forward=names["forward"], reverse=names["reverse"])
        # the module is the same either way; where the types decide, callers call that mode's driver
        # (Numba compiles a function when it is first called, so the other mode is never compiled)
        decided = decided_mode(program, dims, costs)
        if decided is not None:
            called["jacobian"] = names[decided]
    return JacobianBuild(sweeps + drivers, called, costs, dims, decided, by_sweeps)

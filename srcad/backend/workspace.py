"""Arrays of CUDA derivatives, carved from a workspace the caller gives.

A CUDA device function cannot allocate.  A derivative that makes arrays (the
adjoint of an array argument, a temporary, a copy) takes one more argument,
``_workspace``, a float64 array, and :func:`lower` writes each allocation
``a = np.zeros_like(x)`` of its generated code as a carve from it
(:func:`srcad.backend.device.carve`), followed by the check that it fit:

    a, _wtop = _device.carve(_workspace, _wtop, x.shape, 0.0)
    if _wtop > _workspace.shape[0]: return (nan, (<empty array>, nan), _ftop, _itop)

A workspace too small is never written past its end: the function returns
at once with NaN in every float of its result and empty arrays in place of
its arrays, and ``_workspace[0]`` holds the entries the run needed so far
(the batch kernel's host reads it and runs again with a larger workspace).
Arrays are never freed: a loop that makes an array each iteration needs a
workspace of all of them.
"""

import ast

from . import allocation

WORKSPACE = "_workspace"
TOP = "_wtop"
_TAPE_PARAMS = ("_ftape", "_itape")
_FILLS = {"np.zeros": 0.0, "np.zeros_like": 0.0, "np.ones": 1.0, "np.ones_like": 1.0, "np.empty": None,
          "np.empty_like": None}


def lower(fn, type_of):
    """Carve the arrays generated function ``fn`` makes from ``_workspace`` (in place); True if it makes any.

    ``type_of(name)`` gives a variable's type (an ``ArrayType`` for arrays), for the early return.
    Allocations this cannot carve (another dtype than float64, an allocation inside an expression) are
    left for the target to refuse.
    """
    def carvable(stmt):
        return _carvable(stmt) and _float64(stmt.value, type_of)

    _name_returned_arrays(fn)

    returned = any(allocation.is_allocation(node) for ret in ast.walk(fn) if isinstance(ret, ast.Return)
                   for node in ast.walk(ret))
    if not returned and not any(carvable(stmt) for stmt in ast.walk(fn)):
        return False
    final = fn.body[-1]
    result = final.value if isinstance(final, ast.Return) else None
    fn.body = _lower_block(fn.body, carvable, lambda: _stand_in_result(result, type_of))
    for node in ast.walk(fn):
        if isinstance(node, ast.Return) and node is not final and node.value is not None:
            _replace_in_return(node)
    _accumulate_elementwise(fn, {target.id for stmt in ast.walk(fn) if _is_carve(stmt)
                                 for target in [stmt.targets[0].elts[0]]})
    start = ast.Assign([ast.Name(TOP, ast.Store())], ast.Constant(1))
    ast.copy_location(start, fn.body[0])
    fn.body.insert(0, start)
    params = fn.args.args
    at = next((k for k, a in enumerate(params) if a.arg in _TAPE_PARAMS), len(params))
    params.insert(at, ast.arg(WORKSPACE))
    ast.fix_missing_locations(fn)
    return True


def hand_on(functions):
    """Give the workspace to every generated function of ``functions`` that calls one taking it (a Hessian's
    driver calling its sweeps, say), in place: it takes ``_workspace`` too and passes it on."""
    while True:
        taking = {fn.name: [a.arg for a in fn.args.args].index(WORKSPACE) for fn in functions if takes_workspace(fn)}
        changed = False
        for fn in functions:
            for node in ast.walk(fn):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in taking \
                        and not any(isinstance(a, ast.Name) and a.id == WORKSPACE for a in node.args):
                    node.args.insert(min(taking[node.func.id], len(node.args)), ast.Name(WORKSPACE, ast.Load()))
                    if not takes_workspace(fn):
                        params = fn.args.args
                        at = next((k for k, a in enumerate(params) if a.arg in _TAPE_PARAMS), len(params))
                        params.insert(at, ast.arg(WORKSPACE))
                    changed = True
        if not changed:
            return


def takes_workspace(fn):
    """Does generated function ``fn`` take a workspace?"""
    return any(a.arg == WORKSPACE for a in fn.args.args)


def _carvable(stmt):
    return (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
            and allocation.is_allocation(stmt.value))


def _float64(call, type_of):
    """Does allocation ``call`` make a float64 array?  A dtype given must be float64; an array made like
    another (``np.zeros_like(x)``, ``np.copy(x)``) takes ``x``'s dtype, which must be known and float64."""
    if not all(k.arg == "dtype" for k in call.keywords):
        return False
    dtypes = [k.value for k in call.keywords]
    if len(call.args) > 1:
        dtypes.append(call.args[1])
    if dtypes:
        return all(ast.unparse(d) in ("np.float64", "float") for d in dtypes)
    if call.func.id.endswith("_like") or call.func.id == "np.copy":
        source = call.args[0] if call.args else None
        kind = type_of(source.id) if isinstance(source, ast.Name) else None
        return getattr(kind, "dtype", None) == "float64"
    return True


def _lower_block(stmts, carvable, stand_in):
    out = []
    for stmt in stmts:
        if carvable(stmt):
            out.extend(_carve(stmt, stand_in()))
            continue
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                setattr(stmt, field, _lower_block(inner, carvable, stand_in))
        out.append(stmt)
    return out


def _carve(stmt, stand_in):
    """``a = np.<allocator>(...)`` as a carve from the workspace and the check that it fit."""
    call = stmt.value
    name = stmt.targets[0].id
    allocator = call.func.id
    if allocator == "np.copy":
        carve = f"{name}, {TOP} = _device.carve_copy({WORKSPACE}, {TOP}, {ast.unparse(call.args[0])})"
    else:
        if allocator.endswith("_like"):
            shape = f"{ast.unparse(call.args[0])}.shape"
        elif isinstance(call.args[0], ast.Tuple):
            shape = ast.unparse(call.args[0])
        else:
            shape = f"_device.shape_of({ast.unparse(call.args[0])})"
        carve = f"{name}, {TOP} = _device.carve({WORKSPACE}, {TOP}, {shape}, {_FILLS[allocator]})"
    check = ast.If(ast.parse(f"{TOP} > {WORKSPACE}.shape[0]", mode="eval").body, [ast.Return(stand_in)], [])
    check.srcad_one_line = True
    lines = [ast.parse(carve).body[0], check]
    for line in lines:
        for node in ast.walk(line):
            ast.copy_location(node, stmt)
    return lines


def _stand_in_result(result, type_of):
    """The result of a run whose workspace was too small: ``result``'s structure, NaN in its floats, empty
    arrays in place of its arrays; the tapes' tops as they are."""
    if result is None:
        return None
    if isinstance(result, ast.Tuple):
        return ast.Tuple([_stand_in_result(e, type_of) for e in result.elts], ast.Load())
    if isinstance(result, ast.Name):
        if result.id in ("_ftop", "_itop"):
            return ast.Name(result.id, ast.Load())
        kind = type_of(result.id)
        ndim = getattr(kind, "ndim", None)
        if ndim is not None:
            return _stand_in_array(ndim)
        if kind == "int":
            return ast.Constant(0)
        if kind == "bool":
            return ast.Constant(False)
    return ast.parse("math.nan", mode="eval").body


def _stand_in_array(ndim):
    zeros = "(" + ", ".join(["0"] * ndim) + ("," if ndim == 1 else "") + ")"
    return ast.parse(f"_device.stand_in({WORKSPACE}, {zeros})[0]", mode="eval").body


def _replace_in_return(ret):
    """Arrays made in an early return (the zeros of a full tape's return, which no caller reads): empty arrays
    of the workspace."""

    class Replace(ast.NodeTransformer):
        def visit_Call(self, node):
            self.generic_visit(node)
            if not (allocation.is_allocation(node) and node.args):
                return node
            first = ast.unparse(node.args[0])
            like = node.func.id.endswith("_like") or node.func.id == "np.copy"
            shape = f"{first}.shape" if like else f"_device.shape_of({first})"
            return ast.parse(f"_device.stand_in({WORKSPACE}, {shape})[0]", mode="eval").body

    Replace().visit(ret)


def _is_carve(stmt):
    return (isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Tuple)
            and isinstance(stmt.value, ast.Call) and ast.unparse(stmt.value.func).startswith("_device.carve"))


def _accumulate_elementwise(fn, arrays):
    """``a += b`` on a carved array ``a`` as ``_device.add_into(a, b)``: Numba's CUDA target has no in-place
    operators on whole arrays (the adjoint of a copy adds one array into another)."""

    def add_into(node, value):
        call = ast.Call(ast.parse("_device.add_into", mode="eval").body,
                        [ast.Name(node_target(node), ast.Load()), value], [])
        return ast.copy_location(ast.Expr(call), node)

    def node_target(node):
        return node.target.id if isinstance(node, ast.AugAssign) else node.targets[0].id

    class Rewrite(ast.NodeTransformer):
        def visit_AugAssign(self, node):
            if isinstance(node.target, ast.Name) and node.target.id in arrays and isinstance(node.op, ast.Add):
                return add_into(node, node.value)
            return node

        def visit_Assign(self, node):
            # a = a + b, written a += b (an accumulation)
            if (len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and node.targets[0].id in arrays
                    and isinstance(node.value, ast.BinOp) and isinstance(node.value.op, ast.Add)
                    and isinstance(node.value.left, ast.Name) and node.value.left.id == node.targets[0].id):
                return add_into(node, node.value.right)
            return node

    Rewrite().visit(fn)


def _name_returned_arrays(fn):
    """Arrays made in the final return (the zeros of a derivative that does not depend on an argument) as
    assignments before it, which are carved like any other."""
    final = fn.body[-1]
    if not isinstance(final, ast.Return) or final.value is None:
        return
    made = []

    class Name(ast.NodeTransformer):
        def visit_Call(self, node):
            self.generic_visit(node)
            if not allocation.is_allocation(node):
                return node
            name = f"_wresult{len(made) + 1}"
            made.append(ast.copy_location(ast.Assign([ast.Name(name, ast.Store())], node), final))
            return ast.Name(name, ast.Load())

    final.value = Name().visit(final.value)
    fn.body[-1:-1] = made

"""From a parsed function to derivative functions: the analyses, then a transformer."""

import ast
from dataclasses import dataclass

from ..analysis import ArrayType, TupleType, analyze_activity, infer_types, is_float, join, plan_recording, type_of
from ..analysis.types import assignments, conflict_cause, describe, element_writes
from ..errors import UnsupportedError
from ..frontend import normalize
from ..frontend.names import NameSource, user_names
from .adjoint import AdjointTransformer, entry_function
from .common import DerivativeNames
from .definite import initialize_maybe_unassigned, type_lookup
from .flatten import flatten
from .scalarize import scalarize
from .tangent import TangentTransformer
from .views import resolve_views

# Names the generated code uses for itself; user code never gets them.
_RESERVED = ("_ftape", "_ftop", "_itape", "_itop", "_seed", "range_len", "digamma", "math", "np",
             "njit", "ShapeError")


@dataclass
class Program:
    info: object
    tree: ast.FunctionDef
    env: dict
    activity: object
    plan: object
    wrt_names: list
    single_wrt: bool
    results: list          # the names the function returns: one, or the parts of a tuple
    tuple_result: bool
    differentiated: list   # the results derivatives are taken of (the first alone with has_aux)
    seed_tuple: bool       # the adjoint's seed is a tuple, one cotangent per part
    names: NameSource
    deriv: DerivativeNames
    scratch_out: str
    scratch_seed: str
    temps: list
    source_map: object
    constants: dict      # global arrays the function reads, by name


def _construct(node):
    """How a refusal names expression ``node``: a call by its function."""
    return node.func.id if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) else ast.unparse(node)


def _check_assignment_types(info, tree, env):
    """Refuse a variable that cannot be typed at the assignment that causes it, not at its first one.

    Each variable is taken to have the type of its first assignment; the
    first assignment that cannot be typed, or that gives the variable
    another type, is the one reported.
    """
    sites = {}
    for name, value, stmt in assignments(tree):
        sites.setdefault(name, []).append((value, stmt))
    order = lambda site: (site[1].lineno, site[1].col_offset)   # noqa: E731
    conflicting = sorted((n for n in sites if env.get(n) == "conflict"), key=lambda n: min(map(order, sites[n])))
    settled = {n: t for n, t in env.items() if t != "conflict"}
    for name in conflicting:
        found = sorted(sites[name], key=order)
        declared = None
        for value, stmt in found:
            t = "int" if value is None else type_of(value, settled)
            if t == "conflict":
                part, operands = conflict_cause(value, settled)
                why = f"with operands of type {', '.join(map(describe, operands))}" if operands else \
                    "(it is given values of different kinds, a scalar and an array or arrays of different ndim)"
                raise UnsupportedError(f"cannot type '{ast.unparse(part)}' {why}", construct=_construct(part),
                                       **info.where(stmt))
            if t is None:
                continue
            if declared is not None and join(declared[0], t) == "conflict":
                first = info.where(declared[1])["lineno"]
                raise UnsupportedError(
                    f"'{name}' is {describe(declared[0])} (line {first}) and is assigned "
                    f"{describe(t)} here; a variable keeps one type, so use a new name",
                    construct="assignment", **info.where(stmt))
            if declared is None:
                declared = (t, stmt)
                settled[name] = t


def _check_types(info, tree, env):
    """Refuse what Numba could not type or srcad does not handle; ``info`` locates lines (a SourceMap)."""
    params = [a.arg for a in tree.args.args]
    sites = {}
    for name, value, stmt in assignments(tree):
        sites.setdefault(name, []).append(stmt)
    for name, value, stmt in assignments(tree):
        cause = None if value is None else conflict_cause(value, env)
        if cause is not None:
            node, operands = cause
            why = f"with operands of type {', '.join(map(describe, operands))}" if operands else \
                "(it is given values of different kinds, a scalar and an array or arrays of different ndim)"
            raise UnsupportedError(f"cannot type '{ast.unparse(node)}' {why}", construct=ast.unparse(node),
                                   **info.where(stmt))
    for name, value, stmt in assignments(tree):
        t = env.get(name) if value is None else type_of(value, env)
        if t == "conflict" or env.get(name) == "conflict":
            what = ast.unparse(value) if value is not None else name
            raise UnsupportedError(
                f"cannot type '{name} = {what}': the value is not a float, int or bool scalar, "
                "or an array made by np.zeros, np.ones, np.empty, their *_like forms or a copy",
                construct="assignment", **info.where(stmt))
        if t == "shape":
            raise UnsupportedError(f"'{name}' would hold a shape tuple; index it, as in x.shape[0]",
                                   construct="shape variable", **info.where(stmt))
        if isinstance(t, ArrayType) or isinstance(env.get(name), ArrayType):
            if name in params or len(sites[name]) != 1 or stmt not in tree.body:
                raise UnsupportedError(
                    f"array '{name}' must be created once, at the top level of the function "
                    "(not in a loop or branch) and never reassigned; write into its elements instead",
                    construct="array variable", **info.where(stmt))
    for name, value, stmt in element_writes(tree):
        if name in params:
            raise UnsupportedError(
                f"writing into the argument '{name}' would change the caller's array; "
                f"work on a copy: {name}_work = {name}.copy()", construct="element assignment", **info.where(stmt))
        base = env.get(name)
        element = type_of(ast.Subscript(ast.Name(name, ast.Load()), stmt.targets[0].slice, ast.Load()), env)
        if not isinstance(base, ArrayType) or element == "conflict":
            raise UnsupportedError(f"cannot write '{ast.unparse(stmt.targets[0])}': index every dimension "
                                   "of an array with integers", construct="element assignment", **info.where(stmt))
        if type_of(value, env) not in ("float", "int", "bool"):
            raise UnsupportedError("an element can only be set to a scalar", construct="element assignment",
                                   **info.where(stmt))
    for stmt in ast.walk(tree):
        if not isinstance(stmt, ast.stmt) or isinstance(stmt, ast.FunctionDef):
            continue
        parts = [stmt.test] if isinstance(stmt, (ast.If, ast.While)) else [stmt.iter] \
            if isinstance(stmt, ast.For) else [stmt]
        for node in (n for part in parts for n in ast.walk(part)):
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) \
                    and isinstance(type_of(node.value, env), ArrayType):
                if not isinstance(node.value, ast.Name) or isinstance(type_of(node, env), ArrayType):
                    raise UnsupportedError(
                        f"cannot use '{ast.unparse(node)}' here: index an array by name in every dimension, "
                        "or use the view in an array expression", construct="subscript", **info.where(stmt))
    for node in ast.walk(tree):
        if isinstance(node, (ast.If, ast.While)) and type_of(node.test, env) == "conflict":
            raise UnsupportedError("cannot type the condition", construct=ast.unparse(node.test), **info.where(node))


def build_program(info, arg_types, wrt, single_wrt, array_result=False, has_aux=False):
    """Analyse ``info`` specialized to ``arg_types`` for differentiation with respect to params ``wrt``.

    ``array_result`` admits float arrays and tuples among the results (jvp and vjp);
    ``has_aux`` takes the derivative of the first part of a tuple result only.
    """
    arrays = [p for p, t in zip(info.params, arg_types) if isinstance(t, ArrayType)]
    tuples = {p: len(t.elements) for p, t in zip(info.params, arg_types) if isinstance(t, TupleType)}
    nones = [p for p, t in zip(info.params, arg_types) if t == "none"]
    core, source_map, constants = normalize(info, arrays, tuples, nones)
    constant_types = {name: ArrayType(value.dtype.name, value.ndim) for name, value in constants.items()}
    wrt_names = [info.params[i] for i in wrt]
    returned = core.body[-1].value
    tuple_result = isinstance(returned, ast.Tuple)
    results = [part.id for part in returned.elts] if tuple_result else [returned.id]
    env = infer_types(core, arg_types, constant_types)
    core = resolve_views(core, env, source_map)
    env = infer_types(core, arg_types, constant_types)
    _check_assignment_types(source_map, core, env)
    core = scalarize(core, env, source_map)
    env = infer_types(core, arg_types, constant_types)
    _check_types(source_map, core, env)
    where = source_map.where(core.body[-1])
    if has_aux and not tuple_result:
        raise UnsupportedError("has_aux=True needs a function that returns a tuple (value, aux)",
                               construct="return", **where)
    if tuple_result and not array_result and not has_aux:
        raise UnsupportedError(
            f"the function returns a tuple of {len(results)} values, and a gradient needs one scalar: "
            "pass has_aux=True to differentiate the first value and return the rest beside the gradient, "
            "or use jvp / vjp for every part", construct="tuple return", **where)
    differentiated = results[:1] if has_aux else results
    for position, result in enumerate(differentiated):
        result_type = env.get(result)
        allowed = result_type in ("float", "int", "bool") or \
            array_result and isinstance(result_type, ArrayType) and result_type.element == "float"
        if not allowed:
            what = "a float scalar or a float array (for jvp and vjp)" if array_result else \
                "a float scalar (use jvp or vjp for a function returning an array)"
            message = f"part {position} of the tuple the function returns must be {what}" if tuple_result \
                else f"the function must return {what}"
            raise UnsupportedError(message, construct="return", **where)
    activity = analyze_activity(core, env, wrt_names, differentiated)
    flat, temps = flatten(core, env, activity)
    env = infer_types(flat, arg_types, constant_types)
    activity = analyze_activity(flat, env, wrt_names, differentiated)
    plan = plan_recording(flat, activity, env)
    names = NameSource(user_names(flat) | set(_RESERVED))
    deriv = DerivativeNames(names)
    return Program(
        info=info, tree=flat, env=env, activity=activity, plan=plan, wrt_names=wrt_names,
        single_wrt=single_wrt, results=results, tuple_result=tuple_result, differentiated=differentiated,
        seed_tuple=tuple_result and not has_aux, names=names, deriv=deriv,
        scratch_out=names.exact("_out"), scratch_seed=names.exact("_g"), temps=temps,
        source_map=source_map, constants=constants,
    )


def tangent_function(program):
    fn = TangentTransformer(program).function(program.tree, f"{program.info.name}_jvp")
    return initialize_maybe_unassigned(fn, type_lookup(program))


def adjoint_function(program, with_value=True):
    fn = AdjointTransformer(program).function(program.tree, f"{program.info.name}_rev", with_value)
    return initialize_maybe_unassigned(fn, type_lookup(program))


def adjoint_entry(program):
    return entry_function(program, f"{program.info.name}_rev", f"{program.info.name}_vjp")

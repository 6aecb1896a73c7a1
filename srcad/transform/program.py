"""From a parsed function to derivative functions: the analyses, then a transformer."""

import ast
import copy
import os
import sys
from dataclasses import dataclass

from ..backend import allocation
from ..analysis import ArrayType, TupleType, analyze_activity, infer_types, is_float, join, plan_recording, type_of
from ..analysis.types import assignments, conflict_cause, describe, element_writes
from ..errors import UnsupportedError
from ..frontend import normalize
from ..frontend.inline import derivative_arguments
from ..rules import lookup_array_operation, lookup_call
from ..frontend.names import NameSource, user_names
from . import tape
from .adjoint import AdjointTransformer
from .common import DerivativeNames, dump
from .definite import initialize_maybe_unassigned, type_lookup
from .tangent import TangentTransformer
from ..lower import flatten, resolve_casts, resolve_views, scalarize, version_rebound_names

# Names the generated code uses for itself; user code never gets them.
_RESERVED = ("_ftape", "_ftop", "_itape", "_itop", "_fpeak", "_ipeak", "_seed", "range_len", "digamma", "math", "np",
             "scipy_special", "gammainc_da", "stdtr_ddf", "kv_dv", "njit", "ShapeError")


@dataclass
class Analysis:
    """What the analyses found: types, activity, the recording plan, the temporaries flatten made."""

    env: dict
    activity: object
    plan: object
    temps: list


@dataclass
class Outputs:
    """What the function returns and which of it derivatives are taken of."""

    results: list          # the names the function returns: one, or the parts of a tuple
    tuple_result: bool
    differentiated: list   # the results derivatives are taken of (the first alone with has_aux)
    seed_tuple: bool       # the adjoint's seed is a tuple, one cotangent per part


@dataclass
class Program:
    """A core function ready for the transformers, with where it came from and what is known of it."""

    info: object
    tree: ast.FunctionDef
    source_map: object
    constants: dict        # global arrays the function reads, by name
    wrt_names: list
    single_wrt: bool
    analysis: Analysis
    outputs: Outputs
    names: NameSource
    deriv: DerivativeNames
    scratch_out: str
    scratch_seed: str


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


class _Build:
    """What the passes of :func:`build_program` read and write, one field a stage."""

    def __init__(self, info, arg_types, wrt, array_result, has_aux):
        self.info = info
        self.arg_types = arg_types
        self.wrt_names = [info.params[i] for i in wrt]
        self.array_result = array_result
        self.has_aux = has_aux
        self.tree = None
        self.source_map = None
        self.constants = {}
        self.constant_types = {}
        self.env = None
        self.activity = None
        self.temps = []
        self.plan = None
        self.what = "the function"   # how messages name it

    def infer(self):
        self.env = infer_types(self.tree, self.arg_types, self.constant_types)


def _normalize(b):
    arrays = {p: t.ndim for p, t in zip(b.info.params, b.arg_types) if isinstance(t, ArrayType)}
    tuples = {p: len(t.elements) for p, t in zip(b.info.params, b.arg_types) if isinstance(t, TupleType)}
    nones = [p for p, t in zip(b.info.params, b.arg_types) if t == "none"]
    hints = {}
    derivative_types = {}
    rounds = 0
    while True:
        unknown = {}
        b.tree, b.source_map, b.constants = normalize(b.info, arrays, tuples, nones, hints, unknown, derivative_types)
        b.constant_types = {name: ArrayType(value.dtype.name, value.ndim) for name, value in b.constants.items()}
        if unknown:
            # a @vectorize helper applied to a value the frontend did not know for an array: ask the types
            env = _types_so_far(b)
            found = {place: env[name].ndim for place, name in unknown.items()
                     if isinstance(env.get(name), ArrayType)}
            if found:
                hints.update(found)
                continue
        calls = derivative_arguments(b.tree)
        if not calls or not _derivative_types_changed(b, calls, derivative_types):
            break
        rounds += 1
        if rounds > 2 * len(calls) + 3:
            first = min(calls.items())[1][0][1]
            raise UnsupportedError("the types of the arguments of the calls of derivatives made by srcad here do "
                                   "not settle; give each variable one type", construct="call",
                                   **b.source_map.where(first))


def _derivative_types_changed(b, calls, known):
    """Did the types of the arguments of ``calls`` (see :func:`srcad.frontend.inline.derivative_arguments`),
    the calls of derivatives in the function just normalized, change from ``known`` (the types it was
    lowered with, by number of the call; updated here)?

    A call lowered without its types gave a stand-in result; with them its derivative's core form is
    inlined (see :func:`srcad.frontend.inline.inline_derivative`).  The arguments of a later call may
    depend on that stand-in, so the calls take their types one at a time, in order: a call whose types
    change makes the calls after it stand-ins again, until they are typed with its real result."""
    env = _types_so_far(b)
    for number, arguments in sorted(calls.items()):
        types = tuple(env.get(arguments[p][0]) for p in range(len(arguments)))
        untyped = [p for p, t in enumerate(types) if t in (None, "conflict", "shape")]
        if not untyped and known.get(number) == types:
            continue
        if untyped and known.get(number, "unknown") is None:
            name, stmt = arguments[untyped[0]]
            raise UnsupportedError(f"cannot type argument {untyped[0]} of this call of a derivative made by "
                                   "srcad; name it in a variable of one type first", construct="call",
                                   **b.source_map.where(stmt))
        known[number] = None if untyped else types   # (None: once more, a stand-in may be what hides it)
        for later in [n for n in known if n > number]:
            del known[later]
        return True
    return False


def _types_so_far(b):
    """The types of the variables of the function just normalized, its dtype marks resolved where they can be
    (an array made by a loop over a @vectorize helper's elements has the dtype of its element)."""
    tree = copy.deepcopy(b.tree)
    try:
        tree = resolve_casts(tree, b.arg_types, b.constant_types, b.source_map)
    except UnsupportedError:
        pass   # refused by the casts pass in its turn; the types of what it could resolve serve here
    return infer_types(tree, b.arg_types, b.constant_types)


def _rebound(b):
    b.tree = version_rebound_names(b.tree, b.arg_types, b.constant_types)


def _casts(b):
    b.tree = resolve_casts(b.tree, b.arg_types, b.constant_types, b.source_map)


def _views(b):
    b.infer()
    b.tree = resolve_views(b.tree, b.env, b.source_map)
    b.infer()
    _check_assignment_types(b.source_map, b.tree, b.env)


def _scalarize(b):
    b.tree = scalarize(b.tree, b.env, b.source_map)
    b.infer()
    _check_types(b.source_map, b.tree, b.env)
    _check_lowered(b)


def _check_lowered(b):
    """No whole-array operation may be left after scalarize: the transformers see only its scalar
    result and would give it no derivative, a silent zero."""
    for stmt in ast.walk(b.tree):
        if not isinstance(stmt, ast.stmt) or isinstance(stmt, ast.FunctionDef):
            continue
        for part in ast.iter_child_nodes(stmt):
            if isinstance(part, ast.stmt):
                continue
            for node in ast.walk(part):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                        and lookup_array_operation(node.func.id) is not None:
                    raise UnsupportedError(
                        f"srcad could not rewrite '{ast.unparse(node)}' as loops over elements here; "
                        "compute it into a variable of its own on the line before", construct=node.func.id,
                        **b.source_map.where(stmt))


# calls in generated code that are not primitives: tape markers, loops, checks
_NOT_PRIMITIVES = ("_srcad_", "range", "len", "ShapeError")


def _types(b):
    """Types of a core function made by a transform; every call in it must have a rule."""
    b.infer()
    for stmt in ast.walk(b.tree):
        if not isinstance(stmt, ast.stmt) or isinstance(stmt, (ast.FunctionDef, ast.Raise)):
            continue   # a raise makes its exception, which is no primitive: nothing is differentiated there
        for node in ast.iter_child_nodes(stmt):
            if isinstance(node, ast.stmt):
                continue   # a statement of a block is checked on its own
            for call in (n for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)):
                if lookup_call(call.func.id) is None and not call.func.id.startswith(_NOT_PRIMITIVES):
                    raise UnsupportedError(
                        f"cannot differentiate '{ast.unparse(call)}' again: {call.func.id} has no rule",
                        construct=call.func.id, **b.source_map.where(stmt))
    for name, value, stmt in assignments(b.tree):
        if value is not None and type_of(value, b.env) == "conflict":
            part, _ = conflict_cause(value, b.env) or (value, [])
            raise UnsupportedError(f"cannot differentiate '{ast.unparse(part)}' again: it has no rule",
                                   construct=_construct(part), **b.source_map.where(stmt))
    for name, value, stmt in assignments(b.tree):
        if b.env.get(name) == "conflict":
            raise UnsupportedError(f"cannot type '{name}' in a derivative differentiated again",
                                   construct="assignment", **b.source_map.where(stmt))


def _results(b):
    """Refuse results a derivative cannot be taken of; note which results are differentiated."""
    returned = b.tree.body[-1].value
    b.tuple_result = isinstance(returned, ast.Tuple)
    b.results = [part.id for part in returned.elts] if b.tuple_result else [returned.id]
    where = b.source_map.where(b.tree.body[-1])
    if b.has_aux and not b.tuple_result:
        raise UnsupportedError("has_aux=True needs a function that returns a tuple (value, aux)",
                               construct="return", **where)
    if b.tuple_result and not b.array_result and not b.has_aux:
        raise UnsupportedError(
            f"{b.what} returns a tuple of {len(b.results)} values, and a gradient needs one scalar: "
            "pass has_aux=True to differentiate the first value and return the rest beside the gradient, "
            "or use jvp / vjp for every part", construct="tuple return", **where)
    b.differentiated = b.results[:1] if b.has_aux else b.results
    for position, result in enumerate(b.differentiated):
        result_type = b.env.get(result)
        allowed = result_type in ("float", "int", "bool") or \
            b.array_result and isinstance(result_type, ArrayType) and result_type.element == "float"
        if not allowed:
            what = "a float scalar or a float array (for jvp and vjp)" if b.array_result else \
                "a float scalar (use jvp or vjp for a function returning an array)"
            if not b.array_result and b.what != "the function":
                what = ("a float scalar; for the derivative of a gradient with respect to an array use "
                        "srcad.hessian(f), srcad.hvp(f) or srcad.jvp(srcad.grad(f))")
            message = f"part {position} of the tuple {b.what} returns must be {what}" if b.tuple_result \
                else f"{b.what} must return {what}"
            raise UnsupportedError(message, construct="return", **where)


def _activity(b):
    b.activity = analyze_activity(b.tree, b.env, b.wrt_names, b.differentiated)
    _refuse_missing_partials(b)


def _refuse_missing_partials(b):
    """Refuse a call whose rule has no derivative with respect to an argument that depends on wrt."""
    for stmt in ast.walk(b.tree):
        if not isinstance(stmt, ast.stmt) or isinstance(stmt, (ast.FunctionDef, ast.If, ast.For, ast.While)):
            continue
        for call in (n for n in ast.walk(stmt) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)):
            rule = lookup_call(call.func.id)
            if rule is None:
                continue
            for index, argument in enumerate(call.args[:len(rule.params)]):
                reason = rule.refusal(index)
                if reason is not None and b.activity.is_active_expr(argument, b.env):
                    raise UnsupportedError(reason, construct=call.func.id, **b.source_map.where(stmt))


def _flatten(b):
    b.tree, b.temps = flatten(b.tree, b.env, b.activity)
    b.infer()
    _activity(b)


def _recording(b):
    b.plan = plan_recording(b.tree, b.activity, b.env)


@dataclass(frozen=True)
class Pass:
    """One named step of :func:`build_program`; ``SRCAD_DUMP=<name>`` prints the function after it."""

    name: str
    run: object
    from_source_only: bool = False   # a core function made by a transform skips it


PASSES = (
    Pass("normalize", _normalize, from_source_only=True),
    Pass("rebound", _rebound, from_source_only=True),
    Pass("casts", _casts, from_source_only=True),
    Pass("views", _views, from_source_only=True),
    Pass("scalarize", _scalarize, from_source_only=True),
    Pass("types", _types),
    Pass("results", _results),
    Pass("activity", _activity),
    Pass("flatten", _flatten),
    Pass("recording", _recording),
)
# passes after build_program, named for SRCAD_DUMP too
# the back half, after build_program, named for SRCAD_DUMP too: a kind runs some of them in this order
# (a Hessian: adjoint, presented, tangent, vector, tapes, legalize)
LATER_PASSES = ("tangent", "adjoint", "presented", "vector", "tapes", "legalize")


def build_program(info, arg_types, wrt, single_wrt, array_result=False, has_aux=False, core=None):
    """Analyse ``info`` specialized to ``arg_types`` for differentiation with respect to params ``wrt``.

    ``array_result`` admits float arrays and tuples among the results (jvp and vjp);
    ``has_aux`` takes the derivative of the first part of a tuple result only.  The
    passes of :data:`PASSES` run in order.  ``core``, a ``(function, source map,
    global arrays)`` made by a transform, starts the pipeline from that core
    function instead of from ``info``'s source: that is how a transform of a
    transform is built (``info`` then names the derivative's parameters).
    """
    b = _Build(info, arg_types, wrt, array_result, has_aux)
    if core is not None:
        b.wrt_names = [core[0].args.args[i].arg for i in wrt]
        b.what = f"the derivative {info.name}()"
        b.tree, b.source_map, b.constants = core
        b.constant_types = {name: ArrayType(value.dtype.name, value.ndim) for name, value in b.constants.items()}
    for step in PASSES:
        if core is not None and step.from_source_only:
            continue
        step.run(b)
        dump(step.name, b.tree)
    names = NameSource(user_names(b.tree) | set(_RESERVED))
    deriv = DerivativeNames(names)
    return Program(
        info=info, tree=b.tree, source_map=b.source_map, constants=b.constants, wrt_names=b.wrt_names,
        single_wrt=single_wrt, analysis=Analysis(env=b.env, activity=b.activity, plan=b.plan, temps=b.temps),
        outputs=Outputs(results=b.results, tuple_result=b.tuple_result, differentiated=b.differentiated,
                        seed_tuple=b.tuple_result and not has_aux),
        names=names, deriv=deriv, scratch_out=names.exact("_out"), scratch_seed=names.exact("_g"),
    )


def tangent_function(program, fname=None):
    """The tangent of ``program``: ``f_jvp(params, dots) -> (value, tangent)``, in core form."""
    fn = TangentTransformer(program).function(program.tree, fname or f"{program.info.name}_jvp")
    dump("tangent", fn)
    return fn


def adjoint_function(program, with_value=True, checkpoint=None):
    """The adjoint of ``program``: ``f_rev(params, _seed) -> (value, gradients)``, in core form.

    ``checkpoint``: None (record every iteration), a snapshot count, or ``("auto", bytes)``: see
    :class:`srcad.transform.binomial.Binomial`.  The lines of the checkpointed loops are left in the
    function's ``srcad_checkpointed``."""
    transformer = AdjointTransformer(program, checkpoint)
    fn = transformer.function(program.tree, f"{program.info.name}_rev", with_value)
    fn.srcad_checkpointed = [line for _, line in transformer.checkpointed]
    dump("adjoint", fn)
    return fn


def variable_types(program, fn=None):
    """The type of a variable of ``program``'s generated function ``fn``: derivatives have their variable's."""
    derived = {generated: var for (var, _), generated in program.deriv.memo.items()}
    extra = getattr(fn, "srcad_types", {})

    def lookup(var):
        if var in extra:
            return extra[var]
        seen = 0
        while var not in program.analysis.env and var in derived and seen < 10:
            var, seen = derived[var], seen + 1
        return program.analysis.env.get(var)

    return lookup


def lower_tapes(program, fn, target, always=False, zeros=None):
    """The last passes on a generated function: ``target``'s lowering of tapes and of allocations, then
    typed starts for maybe-unassigned scalars.  Returns (function, whether it takes tapes); ``always``
    gives it tapes even without pushes.  ``zeros(expr)``, where given, is asked first for the early
    return of a full tape (None: not known)."""
    lookup = variable_types(program, fn)
    derived = {generated: var for (var, _), generated in program.deriv.memo.items()}
    params = {a.arg for a in program.tree.args.args}

    def zero_of(expr):
        """What the early return of a full tape gives for ``expr``: zeros of its type (the derivative of an
        array argument as ``np.zeros_like`` of it, the form the direction pass reads)."""
        known = zeros(expr) if zeros is not None else None
        if known is not None:
            return known
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "np.zeros_like" \
                and isinstance(expr.args[0], ast.Name):
            # the tangent of a result that does not depend on wrt: an array like the result
            return tape.zero_value(lookup(expr.args[0].id))
        if not isinstance(expr, ast.Name):
            return tape.zero_value("float")
        base = expr.id
        while base in derived:
            base = derived[base]
        if isinstance(lookup(expr.id), ArrayType) and base in params and base != expr.id:
            return allocation.array("np.zeros_like", [ast.Name(base, ast.Load())])
        return tape.zero_value(lookup(expr.id))

    taped = target.lower_tapes(fn, zero_of, always)
    target.lower_allocations(fn, lookup)
    dump("tapes", fn)
    legal = initialize_maybe_unassigned(fn, type_lookup(program))
    dump("legalize", legal)
    return legal, taped

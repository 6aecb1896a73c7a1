"""The public transformations: grad, value_and_grad, jvp, vjp, hessian, hvp, jacobian, forward_grad, source,
check_grad."""

import ast
import copy
import dataclasses
import functools
import numbers
import os

import numpy as np

from ._version import __version__
from .backend import load_module, render_function, render_module
from .drivers import forward_gradient, higher
from .errors import ShapeError, SrcadError, UnsupportedError
from .chain import NotAChainCall, chain_for, provide_sweeps
from .frontend import read_function
from .rules.custom import module_lines as _custom_rule_lines
from .analysis import ArrayType, TupleType
from .frontend.names import NameSource, user_names
from .backend.tapes import TAPE_NAMES
from .backend.target import TARGETS, TapePool
from .transform import adjoint_function, build_program, lower_tapes, tangent_function
from .transform.directions import vector_tangent
from .drivers.jacobians import BLOCK, jacobian_functions
from .transform.program import dump
from .transform.tape import has_tape_operations

_OPTIONS = {"target": "cpu", "checkpoint": None, "cache": True, "check": None}


# ---------------------------------------------------------------- types
def _argument_error(info, name, message):
    """A refusal of an argument, located at the function's ``def`` line."""
    return UnsupportedError(message, construct=f"argument '{name}'", filename=info.filename, lineno=info.tree.lineno)


def _type_of_value(value, index, name, info):
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, (numbers.Integral, np.integer)):
        return "int"
    if isinstance(value, (numbers.Real, np.floating)):
        return "float"
    if isinstance(value, np.ndarray):
        return ArrayType(value.dtype.name, value.ndim)
    if isinstance(value, str):
        return "str"
    if value is None:
        return "none"
    if isinstance(value, tuple):
        elements = tuple(_type_of_value(v, index, name, info) for v in value)
        if all(e in ("bool", "int", "float") for e in elements):
            return TupleType(elements)
    raise _argument_error(info, name, f"argument {index} ('{name}') has type {type(value).__name__}; srcad takes "
                          "float, int and bool scalars, NumPy arrays, strings and tuples of scalars")


def _type_of_numba(nbtype, index, name, info):
    from numba.core import types

    if isinstance(nbtype, types.Boolean):
        return "bool"
    if isinstance(nbtype, types.Integer):
        return "int"
    if isinstance(nbtype, types.Float):
        return "float"
    if isinstance(nbtype, types.Array):
        return ArrayType(str(nbtype.dtype), nbtype.ndim)
    if isinstance(nbtype, (types.UnicodeType, types.StringLiteral)):
        return "str"
    if isinstance(nbtype, (types.NoneType, types.Omitted)) and getattr(nbtype, "value", None) is None:
        return "none"
    if isinstance(nbtype, types.BaseTuple) and not isinstance(nbtype, types.BaseNamedTuple):
        elements = tuple(_type_of_numba(t, index, name, info) for t in nbtype.types)
        if all(e in ("bool", "int", "float") for e in elements):
            return TupleType(elements)
    raise _argument_error(info, name, f"argument {index} ('{name}') has Numba type {nbtype}; srcad takes float, "
                          "int and bool scalars, NumPy arrays, strings and tuples of scalars")


def _differentiable(t):
    return t in ("float", "int") or (isinstance(t, ArrayType) and t.element == "float")


def _not_differentiable(t, name):
    """Why an argument of type ``t`` cannot be differentiated, and what to pass instead."""
    if isinstance(t, ArrayType):
        return f"it is an {t.dtype} array; pass a float array, e.g. {name}.astype(np.float64)"
    if isinstance(t, TupleType):
        return (f"it is a {t}; differentiating with respect to a tuple is not supported yet, "
                "pass its elements as float arguments")
    if t == "bool":
        return "it is a bool; pass a float"
    return f"it is a {t}, which cannot be differentiated"


def _python_type_key(value):
    """What of a Python argument decides its srcad type (memoizes the specialization of a call)."""
    if type(value) is np.ndarray:
        return (np.ndarray, value.dtype.num, value.ndim)
    if type(value) is tuple:
        return (tuple,) + tuple(_python_type_key(v) for v in value)
    return type(value)


def _is_scalar_number(value):
    if isinstance(value, np.ndarray):
        return value.ndim == 0 and value.dtype.kind in "fiu"   # np.array(1.0) stands for 1.0
    return isinstance(value, (numbers.Real, np.floating, np.integer)) and not isinstance(value, (bool, np.bool_))


def _as_passed(value):
    """A checked tangent or cotangent as the compiled code takes it: an array, or a float."""
    return value if isinstance(value, np.ndarray) and value.ndim else float(value)


def _check_pairing(what, value, like):
    """Refuse ``value`` as the tangent or cotangent of ``like`` unless it matches: a float array of
    ``like``'s dimensions (and shape, when ``like`` is an array rather than an ``ArrayType`` whose
    shape only the compiled code knows), or a number for a scalar.
    """
    if isinstance(like, (np.ndarray, ArrayType)):
        ndim = like.ndim
        if not isinstance(value, np.ndarray):
            raise ShapeError(f"{what} must be a float array with {ndim} dimension(s); got {type(value).__name__}")
        if value.dtype.kind != "f":
            raise ShapeError(f"{what} must be a float array; got dtype {value.dtype}: pass a float array, "
                             f"e.g. .astype(np.float64)")
        if value.ndim != ndim:
            raise ShapeError(f"{what} must have {ndim} dimension(s); got shape {value.shape}")
        if isinstance(like, np.ndarray) and value.shape != like.shape:
            raise ShapeError(what, value.shape, like.shape)
    elif not _is_scalar_number(value):
        got = f"an array of shape {value.shape}" if isinstance(value, np.ndarray) else type(value).__name__
        raise ShapeError(f"{what} must be a scalar; got {got}")


def _check_pairing_numba(what, nbtype, like):
    """:func:`_check_pairing` at typing time, for ``@njit`` callers: ``like`` is an ``ArrayType`` or a scalar."""
    from numba.core import types

    if isinstance(like, ArrayType):
        if not isinstance(nbtype, types.Array) or not isinstance(nbtype.dtype, types.Float):
            raise ShapeError(f"{what} must be a float array with {like.ndim} dimension(s); got {nbtype}")
        if nbtype.ndim != like.ndim:
            raise ShapeError(f"{what} must have {like.ndim} dimension(s); got {nbtype}")
    elif not isinstance(nbtype, (types.Float, types.Integer)) or isinstance(nbtype, types.Boolean):
        raise ShapeError(f"{what} must be a scalar; got {nbtype}")


def _split_aux(value):
    """(differentiated value, aux) of a has_aux result: aux is the second part, or the tuple of the rest."""
    rest = value[1:]
    return value[0], rest[0] if len(rest) == 1 else tuple(rest)


# ---------------------------------------------------------------- the public kinds
class Kind:
    """What one public transformation takes beyond the function's arguments and what it gives back.

    Every kind runs one compiled derivative (the tangent, or the adjoint) whose canonical
    result is ``(value, derivative)``; a kind checks its extra arguments and presents
    that result, from Python (:meth:`present`) and from ``@njit`` code (:meth:`present_source`).
    """

    name = ""
    mode = "reverse"
    array_result = False     # may the function return arrays and tuples (each part an output)?
    allows_aux = False       # does has_aux=True have a meaning?
    takes_defaults = False   # do the primal's default values apply (nothing is appended after them)?
    int_wrt = True           # may a differentiated argument be an int (taken as a float)?
    options = {}             # options of this kind alone, with their defaults

    def setup(self, t, **options):
        """Check this kind's own options and keep what calls need on the transformation ``t``."""

    def generated(self, t, program, types, names, decorator):
        """Source of further functions for the generated module, as ``(key, name, text)``."""
        return []

    def with_value(self, t):
        """Does the adjoint compute the value (or is it dead code the compiler drops)?"""
        return True

    def seed_source(self, extra):
        """The adjoint's seed in an ``@njit`` caller, from the names of the extra arguments."""
        return "1.0"

    def extra_stems(self, t):
        """Names of the arguments that follow the function's own (before renaming clashes away)."""
        return []

    def seed(self, t, spec, extra):
        """The adjoint's seed from the extra arguments, checked."""
        return 1.0

    def call_args(self, t, spec, params, extra):
        """What the compiled derivative takes after the function's arguments, from the extra arguments."""
        return [self.seed(t, spec, extra)]

    def call_source(self, extra):
        """:meth:`call_args` in an ``@njit`` caller, from the names of the extra arguments."""
        return [self.seed_source(extra)]

    def check_numba(self, t, spec, nbtypes, extra_types):
        """Refuse, at typing time, extra arguments of the wrong kind (array/scalar, ndim, dtype)."""

    def guard_source(self, t, types, extra):
        """Lines an ``@njit`` caller runs first: the checks that need shapes, known only at run time."""
        return []

    def present(self, t, value, derivative):
        return value, derivative

    def present_source(self, t, spec, call):
        """Source of the expression an ``@njit`` caller gets from ``call`` (a ``(value, derivative)``);
        with has_aux the call's result is in ``__srcad_r``."""
        return call

    # what is generated and how it is run
    entry = None             # the name (in Specialization.functions) of what a Python call runs: "main"
    checkable = True         # does check=True compare calls with finite differences?
    by_forward_when_scalar = False   # a gradient w.r.t. scalars only may be taken by forward sweeps

    def generate(self, t, program, types):
        """The generated functions: a :class:`Generated` built from ``program``."""
        if self.mode == "forward":
            return _tangent_functions(program, t.target)
        if has_tape_operations(program.tree):
            # reverse over an adjoint that records: forward sweeps when every wrt is a scalar
            if self.by_forward_when_scalar and all(types[i] == "float" for i in t.wrt):
                return _forward_gradient_functions(program, t.target)
            higher.refuse_reverse_over_tape(program, self.name)
        core = adjoint_function(program, with_value=self.with_value(t))
        return _finish(program, core, f"{program.info.name}_vjp", t.target)

    def python_entry(self, t):
        return self.entry or "main"

    def call(self, t, spec, function, params, extra):
        """Run ``function`` (the Python entry) on checked arguments and present its result."""
        args = (*params, *self.call_args(t, spec, params, extra))
        value, derivative = t.target.run_taped(function, args, t.tapes) if spec.taped else function(*args)
        return self.present(t, value, derivative)

    def numba_call(self, t, spec, passed, extra):
        """(source of the call an ``@njit`` caller makes, the compiled function it calls)."""
        return f"__srcad_f({', '.join(passed + self.call_source(extra))})", spec.functions["entry"]

    def presented(self, t, spec, extra):
        """This derivative as a core function for an outer transform; ``extra`` names its extra arguments."""
        raise UnsupportedError(f"a {self.name} of a derivative cannot be differentiated again yet",
                               construct=f"derivative of {self.name}", **spec.program.source_map.where(
                                   spec.program.tree.body[-1]))

    def _refuse_aux(self, t, spec):
        if t.has_aux:
            raise UnsupportedError(f"a {self.name} with has_aux=True cannot be differentiated again; "
                                   "differentiate the function without aux", construct="has_aux",
                                   **spec.program.source_map.where(spec.program.tree.body[-1]))


class _Grad(Kind):
    name = "grad"
    allows_aux = True
    takes_defaults = True
    by_forward_when_scalar = True

    def presented(self, t, spec, extra):
        self._refuse_aux(t, spec)
        return higher.presented_gradient(spec.core, spec.program, "grads")

    def with_value(self, t):
        return t.has_aux

    def present(self, t, value, derivative):
        if t.has_aux:
            return derivative, _split_aux(value)[1]
        return derivative

    def present_source(self, t, spec, call):
        if t.has_aux:
            return f"(__srcad_r[1], {_aux_source(spec)})"
        return f"{call}[1]"


class _ValueAndGrad(Kind):
    name = "value_and_grad"
    allows_aux = True
    takes_defaults = True
    by_forward_when_scalar = True

    def presented(self, t, spec, extra):
        self._refuse_aux(t, spec)
        return higher.presented_gradient(spec.core, spec.program, "both")

    def present(self, t, value, derivative):
        if t.has_aux:
            return _split_aux(value), derivative
        return value, derivative

    def present_source(self, t, spec, call):
        if t.has_aux:
            return f"((__srcad_r[0][0], {_aux_source(spec)}), __srcad_r[1])"
        return call


class _Vjp(Kind):
    name = "vjp"
    array_result = True

    def presented(self, t, spec, extra):
        if spec.program.seed_tuple:
            raise UnsupportedError("the vjp of a function returning a tuple cannot be differentiated again",
                                   construct="tuple return",
                                   **spec.program.source_map.where(spec.program.tree.body[-1]))
        return higher.presented_gradient(spec.core, spec.program, "both", seed_param=extra[0])

    def extra_stems(self, t):
        return ["cotangent"]

    def seed_source(self, extra):
        return extra[0]

    def seed(self, t, spec, extra):
        cotangent = extra[0]
        what = f"vjp of {t.label}: the cotangent"
        if not spec.program.tuple_result:
            _check_pairing(what, cotangent, spec.result_types[0])
            return _as_passed(cotangent)
        parts = spec.result_types
        if not isinstance(cotangent, tuple) or len(cotangent) != len(parts):
            raise ShapeError(f"{what} must be a tuple of {len(parts)} cotangents, one for each part of the "
                             f"result; got {type(cotangent).__name__}"
                             + (f" of {len(cotangent)}" if isinstance(cotangent, tuple) else ""))
        for position, (part, like) in enumerate(zip(cotangent, parts)):
            _check_pairing(f"{what} of part {position} of the result", part, like)
        return tuple(_as_passed(part) for part in cotangent)

    def check_numba(self, t, spec, nbtypes, extra_types):
        from numba.core import types

        what = f"vjp of {t.label}: the cotangent"
        cotangent = extra_types[0]
        if not spec.program.tuple_result:
            _check_pairing_numba(what, cotangent, spec.result_types[0])
            return
        parts = spec.result_types
        if not isinstance(cotangent, types.BaseTuple) or len(cotangent) != len(parts):
            raise ShapeError(f"{what} must be a tuple of {len(parts)} cotangents, one for each part of the "
                             f"result; got {cotangent}")
        for position, (part, like) in enumerate(zip(cotangent, parts)):
            _check_pairing_numba(f"{what} of part {position} of the result", part, like)


class _Jvp(Kind):
    name = "jvp"
    mode = "forward"
    array_result = True

    def presented(self, t, spec, extra):
        return higher.presented_tangent(spec.core, spec.program, extra)

    def extra_stems(self, t):
        return [f"{t.info.params[i]}_tangent" for i in t.wrt]

    def call_args(self, t, spec, params, extra):
        return self.tangents(t, params, extra)

    def call_source(self, extra):
        return list(extra)

    def tangents(self, t, params, extra):
        out = []
        for i, tangent in zip(t.wrt, extra):
            _check_pairing(f"jvp of {t.label}: the tangent of argument {i} ('{t.info.params[i]}')",
                           tangent, params[i])
            out.append(_as_passed(tangent))
        return out

    def guard_source(self, t, types, extra):
        lines = []
        for i, tangent in zip(t.wrt, extra):
            if isinstance(types[i], ArrayType):
                param = t.info.params[i]
                what = f"jvp of {t.label}: the tangent of argument {i} ('{param}')"
                lines += [f"if {tangent}.shape != {param}.shape:",
                          f"    raise __srcad_shape_error({what!r}, {tangent}.shape, {param}.shape)"]
        return lines

    def check_numba(self, t, spec, nbtypes, extra_types):
        for i, tangent in zip(t.wrt, extra_types):
            like = spec.arg_types[i]
            _check_pairing_numba(f"jvp of {t.label}: the tangent of argument {i} ('{t.info.params[i]}')",
                                 tangent, like if isinstance(like, ArrayType) else "float")


class _Jacobian(Kind):
    """A Jacobian, ``out.shape + in.shape``, by vector-mode sweeps over blocks of directions."""

    array_result = True
    takes_defaults = True
    checkable = False
    entry = "jacobian"

    def generate(self, t, program, types):
        mode = self.mode
        if has_tape_operations(program.tree) and mode == "auto":
            mode = "forward"   # reverse would be reverse over reverse
        if has_tape_operations(program.tree) and mode == "reverse":
            raise UnsupportedError(
                f"{t.kind} of {program.info.name}(): the reverse-mode Jacobian of a derivative that records "
                "values on a tape is not supported (reverse over reverse); use srcad.jacfwd, srcad.hessian(f) "
                "or srcad.jvp(srcad.grad(f)) for second derivatives", construct="jacobian of a derivative",
                **program.source_map.where(program.tree.body[-1]))
        build = jacobian_functions(program, mode, t.target)
        t.jacobian_builds[id(program)] = build
        return Generated(build.functions, build.names["jacobian"], build.names["jacobian"], False, None,
                         build.names)

    def call(self, t, spec, function, params, extra):
        return function(*params)

    def numba_call(self, t, spec, passed, extra):
        return f"__srcad_f({', '.join(passed)})", spec.functions["jacobian"]


class _JacFwd(_Jacobian):
    name = "jacfwd"
    mode = "forward"


class _JacRev(_Jacobian):
    name = "jacrev"
    mode = "reverse"


class _JacAuto(_Jacobian):
    """Forward or reverse, whichever the cost model expects to be cheaper for these sizes."""

    name = "jacobian"
    mode = "auto"

    def call(self, t, spec, function, params, extra):
        t.last_call = (spec, params)   # what explain() reports on; the driver plans for itself
        chain = _chain_of(t)
        if chain is not None:
            try:
                return chain(*params)   # a chain of the user's functions: its products bracketed by cost
            except NotAChainCall:
                chain.plan = None
        return function(*params)

    def plan(self, spec, params):
        """(n, m, estimated cost of forward, of reverse, the mode taken) for these arguments."""
        if "plan" not in spec.functions:
            raise SrcadError(f"explain: the Jacobian of {spec.program.info.name}() records values on a tape, so it "
                             "is always taken forward (reverse would be reverse over reverse); there is no plan")
        n, m, forward, reverse = spec.functions["plan"](*params)
        return n, m, forward, reverse, "forward" if forward <= reverse else "reverse"


class _Hvp(_Jvp):
    """``hvp(f)(*args, v) -> H @ v``: the tangent of the gradient along ``v``, one forward-over-reverse sweep."""

    name = "hvp"
    mode = "forward over reverse"
    array_result = False
    checkable = False

    def extra_stems(self, t):
        return ["v"]

    def generate(self, t, program, types):
        gradient = _gradient_program(t, program, types)
        return _finish(gradient, tangent_function(gradient, f"{t.info.name}_hvp"), f"{t.info.name}_hvp_entry",
                       t.target)

    def present(self, t, value, derivative):
        return derivative

    def present_source(self, t, spec, call):
        return f"{call}[1]"

    def presented(self, t, spec, extra):
        return Kind.presented(self, t, spec, extra)


class _Hessian(Kind):
    """``hessian(f)(*args) -> H``, of shape ``x.shape + x.shape``: the forward Jacobian of the gradient, one
    vector-mode forward-over-reverse sweep per block of columns (one scalar sweep for a scalar argument)."""

    name = "hessian"
    mode = "forward over reverse"
    checkable = False

    def call_args(self, t, spec, params, extra):
        return []

    def call_source(self, extra):
        return []

    def generate(self, t, program, types):
        gradient = _gradient_program(t, program, types)
        if isinstance(types[t.wrt[0]], ArrayType):
            build = jacobian_functions(gradient, "forward", t.target, f"{t.info.name}_hessian")
            driver = build.names["jacobian"]
            return Generated(build.functions, driver, driver, False, None, {"by_blocks": driver})
        tangent = _finish(gradient, tangent_function(gradient, f"{t.info.name}_hvp"), f"{t.info.name}_hvp_entry",
                          t.target)
        params = [a.arg for a in gradient.tree.args.args]
        grown = tangent.names.get("grown")
        driver = higher.hessian_driver(f"{t.info.name}_hessian", tangent.main, params, grown, t.target)
        kept = [fn for fn in tangent.functions if fn.name != tangent.entry or not tangent.taped]
        return Generated(kept + [driver], driver.name, driver.name, False, None)

    def call(self, t, spec, function, params, extra):
        if "by_blocks" in spec.functions:
            return function(*params)   # the Jacobian driver gives the Hessian alone
        return Kind.call(self, t, spec, function, params, extra)

    def present(self, t, value, derivative):
        return derivative

    def present_source(self, t, spec, call):
        return call if "by_blocks" in spec.functions else f"{call}[1]"


class _ForwardGrad(Kind):
    """The forward gradient (grad f . v) v along random v ~ N(0, I): one tangent sweep, for k directions
    one vector-mode sweep carrying all of them."""

    name = "forward_grad"
    mode = "forward"
    takes_defaults = True
    int_wrt = False
    entry = "estimate"
    options = {"seed": None, "k": 1}
    checkable = False        # a random estimate: check srcad.grad of the same function instead

    def setup(self, t, seed, k):
        t.directions_rng = forward_gradient.directions_generator(seed)
        t.direction_count = forward_gradient.direction_count(k)

    def generate(self, t, program, types):
        tangent = tangent_function(program)
        if t.direction_count > 1:
            if has_tape_operations(tangent):
                raise UnsupportedError(f"forward_grad with k={t.direction_count} directions of a derivative that "
                                       "records a tape is not supported yet; use k=1",
                                       construct="k", **program.source_map.where(program.tree.body[-1]))
            tangent = vector_tangent(program, tangent, f"{t.info.name}_jvp_block")
        return _finish(program, tangent, f"{t.info.name}_jvp_entry", t.target)

    def generated(self, t, program, types, names, decorator):
        name = f"{t.info.name}_forward_grad"
        text = forward_gradient.estimator_function(name, names["entry"], t.info.params, types, t.wrt,
                                                   t.single_wrt, decorator, block=t.direction_count > 1)
        return [("estimate", name, text)]

    def tangents(self, t, params, extra):
        return forward_gradient.draw_directions(t.directions_rng, t.direction_count, params, t.wrt)

    def call(self, t, spec, function, params, extra):
        return function(*params, *self.tangents(t, params, extra))

    def numba_call(self, t, spec, passed, extra):
        directions = forward_gradient.directions_source(t.direction_count, t.info.params, spec.arg_types, t.wrt,
                                                        "__srcad_np")
        return f"__srcad_f({', '.join(passed + directions)})", spec.functions["estimate"]

    def presented(self, t, spec, extra):
        raise UnsupportedError(f"the forward_grad of {t.info.name}() is a random estimate, which has no "
                               "derivative; differentiate grad or jvp of the function instead",
                               construct="derivative of forward_grad",
                               **spec.program.source_map.where(spec.program.tree.body[-1]))


_KINDS = {kind.name: kind for kind in (_Grad(), _ValueAndGrad(), _Vjp(), _Jvp(), _Hvp(), _Hessian(), _JacFwd(),
                                        _JacRev(), _JacAuto(), _ForwardGrad())}


@dataclasses.dataclass
class Generated:
    """What a kind generates: the functions of the module, the one Python calls (``main``, which takes
    tapes when ``taped``), the one ``@njit`` callers call (``entry``), and the core form of ``main``."""

    functions: list
    main: str
    entry: str
    taped: bool
    core: object
    names: dict = dataclasses.field(default_factory=dict)   # other functions a kind calls, by role


def _finish(program, core, entry_name, target):
    """Lower ``core``'s tapes for ``target``; with tapes, add the target's helper that grows them and an
    entry that brings its own."""
    saved = copy.deepcopy(core)
    main, taped = lower_tapes(program, core, target)
    functions = [main]
    names = {}
    if taped:
        params = [a.arg for a in main.args.args if a.arg not in TAPE_NAMES]
        grown = target.grown_function(main.name, params, f"{main.name}_grown")
        functions += [grown, target.entry_function(grown.name, params, entry_name)]
        names["grown"] = grown.name
    return Generated(functions, main.name, functions[-1].name, taped, saved, names)


def _tangent_functions(program, target):
    return _finish(program, tangent_function(program), f"{program.info.name}_jvp_entry", target)


def _forward_gradient_functions(program, target):
    """A gradient w.r.t. scalars from one tangent sweep per wrt argument (used over adjoints that record)."""
    tangent = _tangent_functions(program, target)
    params = [a.arg for a in program.tree.args.args]
    driver = higher.forward_gradient_driver(f"{program.info.name}_grad", tangent.entry, params,
                                            program.wrt_names, program.single_wrt)
    return Generated(tangent.functions + [driver], driver.name, driver.name, False, None)


def _gradient_program(t, program, types):
    """The program of ``grad(f)`` for the same wrt, built from ``f``'s adjoint: what a Hessian is the tangent of."""
    where = program.source_map.where(program.tree.body[-1])
    if not t.single_wrt:
        raise UnsupportedError(f"{t.kind} takes one wrt argument (an int); for several, build one per argument",
                               construct="wrt", **where)
    if has_tape_operations(program.tree):
        higher.refuse_reverse_over_tape(program, t.kind)
    wrt_type = types[t.wrt[0]]
    if not (wrt_type == "float" or isinstance(wrt_type, ArrayType) and wrt_type.dtype == "float64"):
        raise UnsupportedError(f"{t.kind} needs a float64 argument to differentiate", construct="wrt", **where)
    core = higher.presented_gradient(adjoint_function(program, with_value=False), program, "grads")
    dump("presented", core)
    info = dataclasses.replace(program.info, name=f"grad_{program.info.name}") \
        if dataclasses.is_dataclass(program.info) else program.info
    return build_program(info, types, t.wrt, True, array_result=True,
                         core=(core, program.source_map, program.constants))


def _chain_of(t):
    """The :class:`srcad.chain.ChainJacobian` of ``t``'s function when it is a chain (made once), else None."""
    if not hasattr(t, "chain"):
        def made_at_once(func, wrt, mode):
            return (jacfwd if mode == "forward" else jacrev)(func, wrt=wrt, cache=t.options["cache"])

        t.chain = chain_for(t.primal, t.wrt[0], jacobians=made_at_once, cache=t.options["cache"]) \
            if t.single_wrt else None
    return t.chain


def _aux_source(spec):
    """Source of the aux part of ``__srcad_r[0]`` (the value tuple) in an ``@njit`` caller."""
    count = len(spec.program.results)
    if count == 2:
        return "__srcad_r[0][1]"
    return "(" + ", ".join(f"__srcad_r[0][{k}]" for k in range(1, count)) + ")"


# ---------------------------------------------------------------- one transformation
class Specialization:
    """The compiled derivative for one tuple of argument types."""

    def __init__(self, source, module, names, program, arg_types, taped, core=None):
        self.source = source
        self.taped = taped   # does the main function take tapes (see backend/tapes.py)?
        self.core = core     # the core form of the main function (what an outer transform reads)
        self.module = module
        self.functions = {key: getattr(module, value) for key, value in names.items()}
        self.program = program
        self.arg_types = arg_types
        self.result_types = [program.env.get(r) for r in program.results]


class Transformation:
    """A derivative of ``func`` of one kind (grad, jvp, ...) with respect to ``wrt``.

    It builds one :class:`Specialization` per tuple of argument types and runs it; its
    :class:`Kind` checks the extra arguments and presents the result.  ``has_aux``
    (grad and value_and_grad) differentiates the first part of a tuple result.
    """

    def __init__(self, func, kind, wrt=0, has_aux=False, **options):
        self.form = _KINDS[kind]
        own = {key: options.pop(key, default) for key, default in self.form.options.items()}
        unknown = set(options) - set(_OPTIONS)
        if unknown:
            raise TypeError(f"unknown option(s): {', '.join(sorted(unknown))}")
        self.options = {**_OPTIONS, **options}
        if self.options["target"] != "cpu":
            raise SrcadError(f"target={self.options['target']!r} is not available yet; use target='cpu'")
        if self.options["checkpoint"] is not None:
            raise SrcadError("checkpointing is not available yet; use checkpoint=None")
        self.kind = kind
        if self.options["check"] and not self.form.checkable:
            raise SrcadError(f"check=True is an option of grad, value_and_grad, jvp and vjp, not of {kind}")
        if self.options["check"] is None:
            self.options["check"] = self.form.checkable and os.environ.get("SRCAD_CHECK", "") not in ("", "0")
        self.mode = self.form.mode
        if has_aux and not self.form.allows_aux:
            raise TypeError(f"has_aux is an option of grad and value_and_grad, not of {kind}")
        self.has_aux = bool(has_aux)
        self.original = func
        self.public = None
        self.inner = getattr(func, "__srcad__", None)   # a derivative made by srcad, differentiated again
        self.info = self.inner.presented_info() if self.inner is not None else read_function(func)
        self.primal = self.info.func
        self.label = _label(self.info)
        self.check_rng = np.random.default_rng(0)   # the random directions of check=True
        self.single_wrt = isinstance(wrt, numbers.Integral)
        indices = (wrt,) if self.single_wrt else tuple(wrt)
        n = len(self.info.params)
        if not indices:
            raise SrcadError("wrt must name at least one argument")
        for i in indices:
            if not isinstance(i, numbers.Integral) or not -n <= i < n:
                raise SrcadError(f"wrt={wrt!r}: {self.info.name} has {n} argument(s)")
        self.wrt = tuple(int(i) % n for i in indices)
        if len(set(self.wrt)) != len(self.wrt):
            raise SrcadError(f"wrt={wrt!r} names an argument twice")
        self.specializations = {}
        self.jacobian_builds = {}   # the Jacobian drivers and sweep costs, by program
        self.last_call = None       # mode="auto": the specialization and arguments of the last call
        self.last = None
        self.tapes = TapePool()
        self.target = TARGETS[self.options["target"]]
        self._by_python_type = {}
        self.form.setup(self, **own)

    # building --------------------------------------------------------
    def arg_types(self, types):
        types = list(types)
        for i in self.wrt:
            if not _differentiable(types[i]):
                name = self.info.params[i]
                raise _argument_error(self.info, name, f"cannot differentiate with respect to argument {i} "
                                      f"('{name}'): {_not_differentiable(types[i], name)}")
            if types[i] == "int":
                if not self.form.int_wrt:
                    name = self.info.params[i]
                    raise _argument_error(self.info, name, f"{self.kind} with respect to argument {i} ('{name}'): "
                                          f"it is an int, and {self.kind} moves it along a real direction; "
                                          "pass a float")
                types[i] = "float"
        return tuple(types)

    def specialize(self, types):
        types = self.arg_types(types)
        spec = self.specializations.get(types)
        if spec is None:
            spec = self._build(types)
            self.specializations[types] = spec
        self.last = spec
        return spec

    def _build(self, types):
        info = self.info
        program = self.program(types)
        generated = self.form.generate(self, program, types)
        functions = generated.functions
        names = {**generated.names, "main": generated.main, "entry": generated.entry}
        taped = generated.taped
        decorator = self.target.decorator(self.options["cache"])
        texts = [render_function(fn, program.source_map.line_text, decorator) for fn in functions]
        for key, name, text in self.form.generated(self, program, types, names, decorator):
            names[key] = name
            texts.append(text)
        described = ", ".join(f"{p}: {_describe(t)}" for p, t in zip(info.params, types))
        header = [
            f"Generated by srcad {__version__}: {self.mode} mode of {info.name}() "
            f"({os.path.basename(info.filename)}, line {info.firstlineno})"
            f"{'' if self.form.with_value(self) else ', gradient only'}.",
            f"With respect to: {', '.join(program.wrt_names)}.  Arguments: {described}.",
            "Regenerated whenever the function or srcad changes; edits are not kept.",
        ]
        custom_header, custom_imports = _custom_rule_lines(functions)
        source = render_module(header + custom_header, self.target.module_imports(functions) + custom_imports, texts,
                               program.constants)
        return Specialization(source, load_module(source), names, program, types, taped, generated.core)

    def program(self, types):
        """The analysed program for argument types ``types``: from the function's source, or for a
        derivative of a derivative from the inner derivative's core function."""
        if self.inner is None:
            return build_program(self.info, types, self.wrt, self.single_wrt, array_result=self.form.array_result,
                                 has_aux=self.has_aux)
        return build_program(self.info, types, self.wrt, self.single_wrt, array_result=self.form.array_result,
                             has_aux=self.has_aux, core=self.inner.core_program(types))

    # as the function of an outer transform ----------------------------
    def presented_info(self):
        """How an outer transform sees this derivative: a function of its own arguments."""
        params = self.info.params + _extra_names(self, len(self.info.params))
        return dataclasses.replace(self.info, func=self.public or self.original, name=f"{self.kind}_{self.info.name}",
                                   params=params)

    def core_program(self, types):
        """(core function, source map, global arrays) of this derivative for the types ``types`` of its
        arguments (the function's, then the extra ones)."""
        n = len(self.info.params)
        spec = self.specialize(types[:n])
        if spec.core is None:
            raise UnsupportedError(
                f"{self.kind} of {self.info.name}() is computed by a driver that calls a derivative once per "
                "direction, which is not differentiated again; nest jvp instead (jvp of jvp of grad)",
                construct=f"derivative of {self.kind}", **spec.program.source_map.where(spec.program.tree.body[-1]))
        taken = user_names(spec.core)
        fresh = NameSource(taken | set(self.info.params))
        extra = [fresh.exact(stem) for stem in _extra_names(self, n)]
        core = self.form.presented(self, spec, extra)
        dump("presented", core)
        return core, spec.program.source_map, spec.program.constants

    # calling from Python ---------------------------------------------
    def extra_count(self):
        return len(self.form.extra_stems(self))

    def split_args(self, args, extra):
        n = len(self.info.params)
        if len(args) != n + extra:
            names = self.info.params + _extra_names(self, n)
            raise TypeError(f"{self.kind} of {self.label} takes {len(names)} arguments ({', '.join(names)}), "
                            f"got {len(args)}")
        params = list(args[:n])
        types = tuple(_type_of_value(v, i, p, self.info) for i, (v, p) in enumerate(zip(params, self.info.params)))
        for i in self.wrt:
            if types[i] == "int":
                params[i] = float(params[i])
        return params, args[n:], types

    def _resolve(self, args):
        """(specialization, compiled function, whether wrt arguments need float()) for these arguments,
        memoized by type."""
        key = tuple(_python_type_key(a) for a in args)
        found = self._by_python_type.get(key)
        if found is None:
            _, _, types = self.split_args(args, self.extra_count())
            spec = self.specialize(types)
            function = spec.functions[self.form.python_entry(self)]
            converts = any(types[i] == "int" for i in self.wrt)
            found = self._by_python_type[key] = (spec, function, converts)
        return found

    def __call__(self, *args):
        try:
            result = self._call(args)
        except Exception as error:
            if type(error).__module__.startswith("numba."):
                raise SrcadError(
                    f"Numba could not compile the derivative of {self.info.name}() that srcad generated; "
                    f"this is a bug in srcad. The generated module is {self.last.module.__file__}.\n{error}"
                ) from error
            raise
        if self.options["check"]:
            from .checking.calls import verify_call

            verify_call(self, args, result)
        return result

    def _call(self, args):
        spec, function, converts = self._resolve(args)
        n = len(self.info.params)
        if converts or len(args) != n + self.extra_count():
            params, extra, _ = self.split_args(args, len(args) - n)
        else:
            params, extra = args[:n], args[n:]
        return self.form.call(self, spec, function, params, extra)

    # calling from Numba ----------------------------------------------
    def numba_impl(self, nbtypes):
        params = self.info.params
        n = len(params)
        types = tuple(_type_of_numba(t, i, p, self.info) for i, (t, p) in enumerate(zip(nbtypes[:n], params)))
        spec = self.specialize(types)
        self.form.check_numba(self, spec, nbtypes[:n], nbtypes[n:])
        passed = [f"float({p})" if i in self.wrt and types[i] == "int" else p for i, p in enumerate(params)]
        extra = _extra_names(self, n)
        lines = self.form.guard_source(self, types, extra)
        call, target = self.form.numba_call(self, spec, passed, extra)
        if self.has_aux:
            lines.append(f"__srcad_r = {call}")
        lines.append(f"return {self.form.present_source(self, spec, call)}")
        namespace = {"__srcad_f": target, "__srcad_shape_error": ShapeError, "__srcad_np": np}
        body = "".join(f"    {line}\n" for line in lines)
        exec(f"def impl({', '.join(params + extra)}):\n{body}", namespace)
        return namespace["impl"]


def _label(info):
    """``f() (file.py, line 12)``: how messages name the user's function."""
    return f"{info.name}() ({os.path.basename(info.filename)}, line {info.firstlineno})"


def _describe(t):
    if isinstance(t, ArrayType):
        return f"{t.dtype}[{', '.join([':'] * t.ndim)}]"
    return str(t)


def _extra_names(transformation, n):
    taken = set(transformation.info.params)
    names = []
    for stem in transformation.form.extra_stems(transformation):
        candidate = stem
        while candidate in taken:
            candidate = "_" + candidate
        taken.add(candidate)
        names.append(candidate)
    return names


def _public_callable(transformation):
    """A plain function with the right signature, callable from Python and from ``@njit`` code."""
    from numba.extending import overload

    params = transformation.info.params + _extra_names(transformation, len(transformation.info.params))
    signature = ", ".join(params)
    name = f"{transformation.kind}_{transformation.info.name}"
    namespace = {"__srcad_call": transformation, "__srcad_impl": transformation.numba_impl}
    exec(
        f"def {name}({signature}):\n    return __srcad_call({signature})\n\n"
        f"def typer({signature}):\n    return __srcad_impl(({signature}{',' if len(params) == 1 else ''}))\n",
        namespace,
    )
    public = namespace[name]
    overload(public)(namespace["typer"])
    functools.update_wrapper(public, transformation.primal, assigned=("__module__", "__doc__"), updated=())
    public.__name__ = public.__qualname__ = name
    public.__srcad__ = transformation
    public.__srcad_primal__ = transformation.primal
    transformation.public = public
    if transformation.form.takes_defaults:
        # the primal's default values, when called from Python (jvp and vjp append arguments after them)
        public.__defaults__ = transformation.primal.__defaults__
    return public


def _decorator(kind):
    def transform(f=None, *, wrt=0, **options):
        if f is None:
            return lambda g: _public_callable(Transformation(g, kind, wrt, **options))
        return _public_callable(Transformation(f, kind, wrt, **options))

    return transform


grad = _decorator("grad")
grad.__name__ = "grad"
grad.__doc__ = """Gradient of a scalar-valued function.

    ``srcad.grad(f, wrt=0)`` returns ``g`` with ``g(*args)`` = df/d(args[wrt]): a
    float for a float argument, an array of the argument's shape for an array,
    a tuple when ``wrt`` is a tuple.  Usable as ``@srcad.grad`` and
    ``@srcad.grad(wrt=1)``, and callable from ``@numba.njit`` code.

    A function returning a tuple is refused unless ``has_aux=True``: then the
    first part is differentiated and ``g(*args)`` is ``(gradient, aux)``, aux
    being the second part (or the tuple of the others when there are more).

    Options: ``cache=True`` (keep compiled derivatives on disk),
    ``check=False``: with ``check=True``, or the environment variable
    ``SRCAD_CHECK=1`` when the derivative is made, every call from Python is
    compared with central differences of ``f`` along a random direction and
    raises :class:`srcad.DerivativeMismatchError` on disagreement (calls from
    ``@numba.njit`` code are not checked); ``target`` and ``checkpoint``
    accept only their defaults for now.

    >>> import math, srcad
    >>> def f(x, y):
    ...     return x * math.sin(y)
    >>> srcad.grad(f, wrt=(0, 1))(2.0, 0.0)
    (0.0, 2.0)
    >>> def loss(x):
    ...     return x * x, 2.0 * x
    >>> srcad.grad(loss, has_aux=True)(3.0)
    (6.0, 6.0)
"""

value_and_grad = _decorator("value_and_grad")
value_and_grad.__name__ = "value_and_grad"
value_and_grad.__doc__ = """Like :func:`grad`, returning ``(value, gradient)``;
    with ``has_aux=True``, ``((value, aux), gradient)``.

    >>> def f(x):
    ...     return x * x
    >>> srcad.value_and_grad(f)(3.0)
    (9.0, 6.0)
"""

jvp = _decorator("jvp")
jvp.__name__ = "jvp"
jvp.__doc__ = """Forward mode: ``fj(*args, *tangents) -> (value, directional derivative)``.

    One tangent per ``wrt`` argument, in ``wrt`` order: a float array of its
    argument's shape for an array, a number for a scalar; anything else raises
    :class:`srcad.ShapeError`.  For a function returning a tuple the result is
    ``(values, tangents)``, a tuple of each (an integer part has tangent 0.0).
    With ``check=True`` (see :func:`grad`) each call from Python is compared
    with central differences along the tangents.

    >>> def f(x, y):
    ...     return x * y
    >>> srcad.jvp(f, wrt=(0, 1))(2.0, 3.0, 1.0, 0.0)
    (6.0, 3.0)
"""

hessian = _decorator("hessian")
hessian.__name__ = "hessian"
hessian.__doc__ = """Hessian of a scalar-valued function: ``H(*args)`` of shape ``x.shape + x.shape``.

    Computed as forward over reverse: the forward Jacobian of srcad's gradient, one
    vector-mode sweep per block of 64 entries of ``x = args[wrt]`` (``wrt`` is one
    int); a float ``x`` gives a float, from one sweep.

    >>> def f(x, y):
    ...     return x * x * y
    >>> srcad.hessian(f, wrt=0)(3.0, 2.0)
    4.0
"""

hvp = _decorator("hvp")
hvp.__name__ = "hvp"
hvp.__doc__ = """Hessian-vector product: ``hv(*args, v) = H @ v`` in one forward-over-reverse sweep.

    ``v`` has the shape of ``args[wrt]`` (``wrt`` is one int).

    >>> import numpy as np
    >>> def f(x):
    ...     return np.sum(x * x * x)
    >>> srcad.hvp(f)(np.array([1.0, 2.0]), np.array([1.0, 0.0]))
    array([6., 0.])
"""

vjp = _decorator("vjp")
vjp.__name__ = "vjp"
vjp.__doc__ = """Reverse mode: ``fv(*args, cotangent) -> (value, cotangent of the wrt argument(s))``.

    The cotangent matches the result: a number for a scalar, a float array of
    the result's shape for an array, and for a function returning a tuple a
    tuple with one cotangent for each part.  A mismatch raises
    :class:`srcad.ShapeError` before any of it is read.  With ``check=True``
    (see :func:`grad`) each call from Python is compared with central
    differences along a random direction.

    >>> def f(x):
    ...     return 3.0 * x
    >>> srcad.vjp(f)(1.0, 2.0)
    (3.0, 6.0)
"""


jacfwd = _decorator("jacfwd")
jacfwd.__name__ = "jacfwd"
jacfwd.__doc__ = """Jacobian by forward mode: ``J(*args)`` has shape ``out.shape + in.shape``.

    One tangent sweep carries a block of up to 64 directions (columns of the
    identity), so the cost grows with the size n of the ``wrt`` arguments.
    ``f`` returns a scalar or an array; a tuple ``wrt`` gives a tuple of
    Jacobians.  Callable from ``@numba.njit`` code.

    >>> import numpy as np
    >>> def f(x):
    ...     return x * x
    >>> srcad.jacfwd(f)(np.array([1.0, 2.0]))
    array([[2., 0.],
           [0., 4.]])
"""

jacrev = _decorator("jacrev")
jacrev.__name__ = "jacrev"
jacrev.__doc__ = """Jacobian by reverse mode: like :func:`jacfwd`, with blocks of up to 64 rows.

    Each block records the forward sweep once and runs one reverse sweep that
    carries all of its cotangents, so the cost grows with the size m of the result.
"""

_JACOBIAN_KINDS = {"auto": "jacobian", "forward": "jacfwd", "reverse": "jacrev"}


def jacobian(f=None, *, wrt=0, mode="auto", **options):
    """Jacobian of ``f``: ``J(*args)`` has shape ``out.shape + in.shape`` (a tuple for a tuple ``wrt``).

    ``mode="forward"`` is :func:`jacfwd`, ``"reverse"`` is :func:`jacrev`;
    ``"auto"`` (the default) compares, at each call, the estimated cost of the
    tangent sweeps (blocks of n input directions) with that of the adjoint
    sweeps (blocks of m output directions), the per-sweep costs counted from
    the generated code.  :func:`explain` shows the figures and the choice.
    Called from Python on a chain of the user's functions (``f3(f2(f1(x)))``,
    see :func:`srcad.chain_jacobian`), ``"auto"`` brackets the layers'
    Jacobians by measured cost, each factor in its cheaper mode.

    >>> import numpy as np
    >>> def f(x):
    ...     return np.sin(x) * x[0]
    >>> J = srcad.jacobian(f)
    >>> J(np.array([0.0, 1.0])).shape
    (2, 2)
    """
    if mode not in _JACOBIAN_KINDS:
        raise SrcadError(f"mode must be 'auto', 'forward' or 'reverse', got {mode!r}")
    return _decorator(_JACOBIAN_KINDS[mode])(f, wrt=wrt, **options)


def explain(f, *args):
    """How Jacobian ``f`` (from :func:`jacobian`) chooses its mode, as text (also printed).

    With ``args``, for those arguments; without, for the most recent call.  It
    gives n (inputs), m (outputs), the estimated cost of one tangent and one
    adjoint sweep (per block and per direction, counted in the generated code),
    the total of each mode and the mode taken; for a chain of the user's
    functions, the plan of its products (bracketing, each factor's mode, the
    multiplication counts and estimated costs).
    """
    t = getattr(f, "__srcad__", None)
    if t is None or not isinstance(t.form, _Jacobian):
        raise SrcadError("explain takes a Jacobian made by srcad.jacobian, jacfwd or jacrev")
    if not isinstance(t.form, _JacAuto):
        text = f"{t.kind} of {t.label}: mode {t.form.mode}, fixed by {t.kind}"
        print(text)
        return text
    if args:
        f(*args)
    chain = getattr(t, "chain", None)
    if chain is not None and chain.plan is not None:
        text = f"jacobian of {t.label}, a chain of its own functions:\n{chain.explain()}"
        print(text)
        return text
    if args:
        spec, _, _ = t._resolve(args)
        params = t.split_args(args, 0)[0]
    elif t.last_call is not None:
        spec, params = t.last_call
    else:
        raise SrcadError(f"explain: call the Jacobian of {t.label} first, or pass its arguments")
    n, m, forward, reverse, chosen = t.form.plan(spec, params)
    build = t.jacobian_builds[id(spec.program)]
    (tangent_block, tangent_direction), (adjoint_block, adjoint_direction) = build.costs["forward"], \
        build.costs["reverse"]
    if build.dims is None:
        whence = "from a run of the function (its shape is not fixed by the argument shapes)"
    elif build.dims == ():
        whence = "(a scalar result)"
    else:
        whence = f"from the argument shapes: ({', '.join(ast.unparse(d) for d in build.dims)})"
    blocks_n, blocks_m = -(-n // BLOCK), -(-m // BLOCK)
    other, other_cost = ("reverse", reverse) if chosen == "forward" else ("forward", forward)
    ratio = (forward if chosen == "forward" else reverse) / other_cost if other_cost else 0.0
    lines = [
        f"jacobian of {t.label} with respect to {', '.join(spec.program.wrt_names)}",
        f"  n (inputs) = {n}, m (outputs) = {m} {whence}; blocks of {BLOCK} directions",
        f"  tangent sweep: {tangent_block:.1f} a sweep + {tangent_direction:.1f} a direction "
        f"-> forward: {blocks_n} sweep(s), estimated {forward:.1f}",
        f"  adjoint sweep: {adjoint_block:.1f} a sweep + {adjoint_direction:.1f} a direction "
        f"-> reverse: {blocks_m} sweep(s), estimated {reverse:.1f}",
        f"  mode: {chosen}, estimated at {ratio:.2f} times the cost of {other}",
    ]
    text = "\n".join(lines)
    print(text)
    return text


forward_grad = _decorator("forward_grad")
provide_sweeps(jvp, vjp)   # chains of the user's functions are made of these sweeps
forward_grad.__name__ = "forward_grad"
forward_grad.__doc__ = """Forward gradient: an unbiased estimate of the gradient from one tangent sweep.

    ``srcad.forward_grad(f, wrt=0, seed=None, k=1)`` returns ``fg`` with
    ``fg(*args)`` = ``(grad f . v) v`` for a fresh direction ``v ~ N(0, I)``
    over the ``wrt`` arguments on every call (Baydin et al., "Gradients
    without backpropagation", 2022): one jvp, no reverse sweep and no tape.
    The result has the type and shape of :func:`grad`'s (a tuple for a tuple
    ``wrt``, one direction part per argument); its expectation is the
    gradient and, for one direction, the variance of entry ``i`` is
    ``|grad f|^2 + (grad f)_i^2``.  ``k`` directions are averaged on request
    (variance divided by ``k``), all carried by one vector-mode tangent sweep.

    ``seed``: ``None`` (fresh entropy), an int, or a ``numpy.random.Generator``
    (shared with its other users); calls from Python draw every direction from
    it, each ``wrt`` argument's block in ``wrt`` order (its shape, with a
    trailing axis of ``k`` directions when ``k > 1``), so a
    seed makes the sequence of estimates reproducible.  Calls from
    ``@numba.njit`` code draw from Numba's own ``np.random`` stream instead
    (seed it there with ``np.random.seed``): a different stream from the
    Python one.  ``srcad.source(fg)`` shows the tangent and the estimator.

    Refused: functions that do not return one float (as for :func:`grad`),
    int arguments in ``wrt`` (pass floats), ``has_aux`` and ``check=True``.

    >>> def f(x):
    ...     return x[0] * x[1]
    >>> fg = srcad.forward_grad(f, seed=0, k=4)
    >>> fg(np.array([1.0, 2.0])).shape
    (2,)
"""


def source(f, mode="reverse", wrt=0, args=None):
    """The generated Python source of ``f``'s derivative, as text.

    ``mode`` is ``"reverse"`` (adjoint) or ``"forward"`` (tangent).  Argument
    types are taken from the example ``args``; without them every argument is
    taken to be a float.  For a callable returned by :func:`grad` and friends
    the source is that derivative's own (a Hessian's for ``hessian(f)``, and so
    on; ``mode`` does not apply): for the types of ``args`` where given, else
    of its most recent specialization.

    >>> def f(x):
    ...     return x * x
    >>> print(srcad.source(f, mode="forward"))   # doctest: +ELLIPSIS
    # Generated by srcad ...
    """
    transformation = getattr(f, "__srcad__", None)
    if transformation is not None and args is None:
        if transformation.last is None:
            transformation.specialize(("float",) * len(transformation.info.params))
        return transformation.last.source
    if transformation is not None:
        info = transformation.info
        types = tuple(_type_of_value(v, i, p, info) for i, (v, p) in enumerate(zip(tuple(args), info.params)))
        if len(types) != len(info.params):
            raise TypeError(f"source() needs an example of each of {info.name}()'s {len(info.params)} arguments")
        return transformation.specialize(types).source
    if mode not in ("reverse", "forward"):
        raise SrcadError(f"mode must be 'reverse' or 'forward', got {mode!r}")
    primal = transformation.primal if transformation is not None else f
    transformation = Transformation(primal, "grad" if mode == "reverse" else "jvp", wrt)
    if args is None:
        types = ("float",) * len(transformation.info.params)
    else:
        types = transformation.split_args(tuple(args) + (0.0,) * (len(transformation.wrt) if mode == "forward" else 0),
                                          len(transformation.wrt) if mode == "forward" else 0)[2]
    return transformation.specialize(types).source

"""The public kinds: what each transformation generates, takes and gives back.

:class:`Kind` is the base; one small class per public kind (grad,
value_and_grad, vjp, jvp, the Jacobians, hvp, hessian, forward_grad) names its
recipe, and :data:`_KINDS` holds one of each by name.  :class:`Generated` is
what a kind generates; :func:`_finish` and the helpers below it build it.
"""

import copy
import dataclasses

from ..analysis import ArrayType
from ..backend.tapes import TAPE_NAMES
from ..chain import NotAChainCall, chain_for
from ..drivers import forward_gradient, higher
from ..drivers.jacobians import jacobian_functions
from ..errors import ShapeError, SrcadError, UnsupportedError
from ..transform import adjoint_function, build_program, lower_tapes, tangent_function
from ..transform.directions import vector_tangent
from ..transform.program import dump
from ..transform.tape import has_tape_operations
from .arguments import _as_passed, _check_pairing, _check_pairing_numba
from .entry import _public_callable


def _split_aux(value):
    """(differentiated value, aux) of a has_aux result: aux is the second part, or the tuple of the rest."""
    rest = value[1:]
    return value[0], rest[0] if len(rest) == 1 else tuple(rest)


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
    tangents_per_wrt = False   # are the extra arguments one per wrt argument, each of its structure (jvp)?
    tuple_wrt = ""           # why a wrt argument may not be a tuple ("": it may, see srcad/api/packing.py)

    def wrt_part(self, t):
        """Where the derivative with respect to the wrt arguments is in the presented result: ``()`` for
        the whole of it, ``(k,)`` for its part k, None where it has none (a tuple wrt is re-packed there)."""
        return None

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
        core = adjoint_function(program, with_value=self.with_value(t), checkpoint=t.checkpoint)
        return _finish(program, core, f"{program.info.name}_vjp", t.target)

    def python_entry(self, t):
        return self.entry or "main"

    def call(self, t, spec, function, params, extra):
        """Run ``function`` (the Python entry) on checked arguments and present its result."""
        args = (*params, *self.call_args(t, spec, params, extra))
        value, derivative = t.run_taped(spec, args) if spec.taped else function(*args)
        return self.present(t, value, derivative)

    def numba_call(self, t, spec, passed, extra):
        """(source of the call an ``@njit`` caller makes, the compiled function it calls)."""
        return f"__srcad_f({', '.join(passed + self.call_source(extra))})", spec.functions["entry"]

    def presented(self, t, spec, extra):
        """This derivative as a core function for an outer transform; ``extra`` names its extra arguments."""
        raise UnsupportedError(f"the {self.name} of {t.info.name}() cannot be differentiated again yet (grad, "
                               "value_and_grad, vjp and jvp can)",
                               construct=f"derivative of {self.name}", **spec.program.source_map.where(
                                   spec.program.tree.body[-1]))

    def result_parts(self, t):
        """What the derivative returns where a differentiated function calls it, part by part: the index
        of the argument whose type a part has, or None for a float (a stand-in until the types are known)."""
        return [None]

    def _refuse_aux(self, t, spec):
        if t.has_aux:
            raise UnsupportedError(f"a {self.name} with has_aux=True cannot be differentiated again; "
                                   "differentiate the function without aux", construct="has_aux",
                                   **spec.program.source_map.where(spec.program.tree.body[-1]))


class _Grad(Kind):
    """Adjoint (over a derivative that records, one tangent sweep per scalar wrt), presented as the gradient
    alone; with has_aux, (gradient, aux)."""

    name = "grad"
    allows_aux = True
    takes_defaults = True
    by_forward_when_scalar = True

    def presented(self, t, spec, extra):
        self._refuse_aux(t, spec)
        return higher.presented_gradient(spec.core, spec.program, "grads")

    def with_value(self, t):
        return t.has_aux

    def result_parts(self, t):
        return list(t.wrt)

    def wrt_part(self, t):
        return (0,) if t.has_aux else ()

    def present(self, t, value, derivative):
        if t.has_aux:
            return derivative, _split_aux(value)[1]
        return derivative

    def present_source(self, t, spec, call):
        if t.has_aux:
            return f"(__srcad_r[1], {_aux_source(spec)})"
        return f"{call}[1]"


class _ValueAndGrad(Kind):
    """Adjoint, as for grad, then presented as (value, grads)."""

    name = "value_and_grad"
    allows_aux = True
    takes_defaults = True
    by_forward_when_scalar = True

    def presented(self, t, spec, extra):
        self._refuse_aux(t, spec)
        return higher.presented_gradient(spec.core, spec.program, "both")

    def result_parts(self, t):
        return [None, *t.wrt]

    def wrt_part(self, t):
        return (1,)

    def present(self, t, value, derivative):
        if t.has_aux:
            return _split_aux(value), derivative
        return value, derivative

    def present_source(self, t, spec, call):
        if t.has_aux:
            return f"((__srcad_r[0][0], {_aux_source(spec)}), __srcad_r[1])"
        return call


class _Vjp(Kind):
    """Adjoint seeded with the checked cotangent: (value, cotangent of the wrt argument(s))."""

    name = "vjp"
    array_result = True

    def presented(self, t, spec, extra):
        if spec.program.outputs.seed_tuple:
            raise UnsupportedError("the vjp of a function returning a tuple cannot be differentiated again",
                                   construct="tuple return",
                                   **spec.program.source_map.where(spec.program.tree.body[-1]))
        return higher.presented_gradient(spec.core, spec.program, "both", seed_param=extra[0])

    def extra_stems(self, t):
        return ["cotangent"]

    def result_parts(self, t):
        return [None, *t.wrt]

    def wrt_part(self, t):
        return (1,)

    def seed_source(self, extra):
        return extra[0]

    def seed(self, t, spec, extra):
        cotangent = extra[0]
        what = f"vjp of {t.label}: the cotangent"
        if not spec.program.outputs.tuple_result:
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
        if not spec.program.outputs.tuple_result:
            _check_pairing_numba(what, cotangent, spec.result_types[0])
            return
        parts = spec.result_types
        if not isinstance(cotangent, types.BaseTuple) or len(cotangent) != len(parts):
            raise ShapeError(f"{what} must be a tuple of {len(parts)} cotangents, one for each part of the "
                             f"result; got {cotangent}")
        for position, (part, like) in enumerate(zip(cotangent, parts)):
            _check_pairing_numba(f"{what} of part {position} of the result", part, like)


class _Jvp(Kind):
    """Tangent along the checked tangents: (value, directional derivative)."""

    name = "jvp"
    mode = "forward"
    array_result = True
    tangents_per_wrt = True

    def presented(self, t, spec, extra):
        return higher.presented_tangent(spec.core, spec.program, extra)

    def extra_stems(self, t):
        return [f"{t.info.params[i]}_tangent" for i in t.wrt]

    def result_parts(self, t):
        return [None, None]

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
                if t.target.device_only:
                    # device code raises only exceptions whose arguments are constants
                    error = f"__srcad_shape_error({what + ' does not have the shape of the argument'!r})"
                else:
                    error = f"__srcad_shape_error({what!r}, {tangent}.shape, {param}.shape)"
                lines += [f"if {tangent}.shape != {param}.shape:", f"    raise {error}"]
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

    def wrt_part(self, t):
        return ()

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
        build = jacobian_functions(program, mode, t.target, checkpoint=t.checkpoint)
        t.built.jacobian_builds[id(program)] = build
        return Generated(build.functions, build.names["jacobian"], build.names["jacobian"], False, None,
                         build.names)

    def call(self, t, spec, function, params, extra):
        return function(*params)

    def numba_call(self, t, spec, passed, extra):
        return f"__srcad_f({', '.join(passed)})", spec.functions["jacobian"]


class _JacFwd(_Jacobian):
    """Forward Jacobian: one vector-mode tangent sweep per block of input directions."""

    name = "jacfwd"
    mode = "forward"


class _JacRev(_Jacobian):
    """Reverse Jacobian: one vector-mode adjoint sweep per block of output directions."""

    name = "jacrev"
    mode = "reverse"


class _JacAuto(_Jacobian):
    """Forward or reverse, whichever the cost model expects to be cheaper for these sizes."""

    name = "jacobian"
    mode = "auto"

    def call(self, t, spec, function, params, extra):
        t.built.last_call = (spec, params)   # what explain() reports on; the driver plans for itself
        chain = _chain_of(t)
        if chain is not None:
            try:
                return chain(*params)   # a chain of the user's functions: its products bracketed by cost
            except NotAChainCall:
                chain.plan = None
        if "plan" in spec.functions and t.built.jacobian_builds[id(spec.program)].decided is None:
            # from Python the plan picks the mode and only that mode's driver runs, so only it is compiled
            # (the driver that chooses inside compiled code, for @njit callers, compiles both, unless the
            # argument types decide: then "jacobian" is that mode's driver, for both kinds of caller)
            function = spec.functions[self.plan(spec, params)[4]]
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
    tuple_wrt = "its v and its result have the structure of one array or float"

    def extra_stems(self, t):
        return ["v"]

    def result_parts(self, t):
        return [None]

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
    tuple_wrt = "it is one array of shape x.shape + x.shape"

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

    def wrt_part(self, t):
        return ()

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
    checkpointed: list = dataclasses.field(default_factory=list)   # lines of the loops ``main`` checkpoints


def _finish(program, core, entry_name, target):
    """Lower ``core``'s tapes for ``target``; with tapes, add the target's helper that grows them and an
    entry that brings its own."""
    saved = copy.deepcopy(core)
    checkpointed = list(getattr(core, "srcad_checkpointed", []))
    main, taped = lower_tapes(program, core, target)
    functions = [main]
    names = {}
    if taped:
        params = [a.arg for a in main.args.args if a.arg not in TAPE_NAMES]
        grown = target.grown_function(main.name, params, f"{main.name}_grown")
        functions += [grown, target.entry_function(grown.name, params, entry_name)]
        names["grown"] = grown.name
    return Generated(functions, main.name, functions[-1].name, taped, saved, names, checkpointed)


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
    core = higher.presented_gradient(adjoint_function(program, with_value=False, checkpoint=t.checkpoint), program,
                                     "grads")
    dump("presented", core)
    info = dataclasses.replace(program.info, name=f"grad_{program.info.name}") \
        if dataclasses.is_dataclass(program.info) else program.info
    return build_program(info, types, t.wrt, True, array_result=True,
                         core=(core, program.source_map, program.constants))


def _chain_of(t):
    """The :class:`srcad.chain.ChainJacobian` of ``t``'s function when it is a chain (made once), else None."""
    if not hasattr(t, "chain"):
        def made_at_once(func, wrt, mode):
            # jacfwd or jacrev of func: a transformation of t's own class (kinds import no Transformation)
            kind = "jacfwd" if mode == "forward" else "jacrev"
            return _public_callable(type(t)(func, kind, wrt, cache=t.options["cache"]))

        t.chain = chain_for(t.primal, t.wrt[0], jacobians=made_at_once, cache=t.options["cache"]) \
            if t.single_wrt else None
    return t.chain


def _aux_source(spec):
    """Source of the aux part of ``__srcad_r[0]`` (the value tuple) in an ``@njit`` caller."""
    count = len(spec.program.outputs.results)
    if count == 2:
        return "__srcad_r[0][1]"
    return "(" + ", ".join(f"__srcad_r[0][{k}]" for k in range(1, count)) + ")"

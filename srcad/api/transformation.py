"""One transformation: :class:`Transformation` and its :class:`Specialization` per argument types.

A transformation checks its options, builds (and keeps) one specialization per
tuple of argument types, renders and loads its module, presents itself to an
outer transform and is called from Python; :func:`source` shows what it
generated.
"""

import dataclasses
import importlib.util
import numbers
import os
import threading

import numpy as np

from .._version import __version__
from ..backend import load_module, render_function, render_module
from ..backend.target import TapePool
from ..backend.targets import TARGETS
from ..errors import SrcadError, UnsupportedError
from ..frontend import read_function
from ..frontend.names import NameSource, user_names
from ..rules.custom import module_lines as _custom_rule_lines
from ..transform import build_program
from ..transform.program import dump
from .checkpoints import checkpoint_setting
from .arguments import (_argument_error, _describe, _differentiable, _extra_names, _label, _not_differentiable,
                        _python_type_key, _type_of_value)
from .entry import _public_callable, numba_impl
from .kinds import _KINDS
from .packing import Packing, tuple_arities
from .references import function_reference

_OPTIONS = {"target": "cpu", "checkpoint": "auto", "memory": None, "cache": True, "check": None, "tape": None}


class Specialization:
    """The compiled derivative for one tuple of argument types."""

    def __init__(self, source, module, names, program, arg_types, taped, core=None, checkpointed=()):
        self.source = source
        self.checkpointed = list(checkpointed)   # lines of the loops the main function checkpoints
        self.variant = None      # checkpoint="auto": the checkpointed build, once a call needed it
        self.taped = taped   # does the main function take tapes (see backend/tapes.py)?
        self.core = core     # the core form of the main function (what an outer transform reads)
        self.module = module
        self.functions = {key: getattr(module, value) for key, value in names.items()}
        self.program = program
        self.arg_types = arg_types
        self.result_types = [program.analysis.env.get(r) for r in program.outputs.results]


@dataclasses.dataclass
class Built:
    """What a :class:`Transformation` has made so far and keeps between calls."""

    specializations: dict = dataclasses.field(default_factory=dict)   # by argument types
    jacobian_builds: dict = dataclasses.field(default_factory=dict)   # Jacobian drivers and sweep costs, by program
    by_python_type: dict = dataclasses.field(default_factory=dict)    # (specialization, entry, converts) by key
    last: object = None          # the specialization made or used last
    last_call: object = None     # mode="auto": the specialization and arguments of the last call
    tapes: TapePool = dataclasses.field(default_factory=TapePool)     # tapes kept between calls from Python
    report: object = None        # how to make the TapeReport of the last taped call from Python
    simulated: dict = dataclasses.field(default_factory=dict)   # target="cuda" under the simulator: by type key
    packings: dict = dataclasses.field(default_factory=dict)    # tuple wrt arguments: Packing by their lengths


class Transformation:
    """A derivative of ``func`` of one kind (grad, jvp, ...) with respect to ``wrt``.

    It builds one :class:`Specialization` per tuple of argument types and runs it; its
    :class:`Kind` checks the extra arguments and presents the result.  ``has_aux``
    (grad and value_and_grad) differentiates the first part of a tuple result.
    """

    def __init__(self, func, kind, wrt=0, has_aux=False, *, _info=None, **options):
        """``_info``, where given, is the parsed function to differentiate instead of ``func``'s own
        source: ``func`` with its tuple wrt arguments taken as their elements (see :mod:`.packing`)."""
        self.form = _KINDS[kind]
        own = {key: options.pop(key, default) for key, default in self.form.options.items()}
        self.own_options = own
        unknown = set(options) - set(_OPTIONS)
        if unknown:
            raise TypeError(f"unknown option(s): {', '.join(sorted(unknown))}")
        self.options = {**_OPTIONS, **options}
        _check_target(self.options, kind)
        # what adjoints are built with, and the tape budget of checkpoint="auto"
        self.checkpoint, self.tape_budget = checkpoint_setting(self.options["checkpoint"], self.options["memory"])
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
        self.info = _info or (self.inner.presented_info() if self.inner is not None else read_function(func))
        self.primal = self.info.func
        self.elements_primal = None   # with _info of a tuple's elements: the function of them that check=True runs
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
        self.built = Built()
        self.target = TARGETS[self.options["target"]]
        if self.options["tape"] is not None:
            self.target = self.target.with_tapes(self.options["tape"])
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
        spec = self.built.specializations.get(types)
        if spec is None:
            spec = self._build(types)
            self.built.specializations[types] = spec
        self.built.last = spec
        return spec

    def _build(self, types):
        info = self.info
        program = self.program(types)
        generated = self.form.generate(self, program, types)
        functions = generated.functions
        self.target.legalize(functions, program.source_map)
        names = {**generated.names, "main": generated.main, "entry": generated.entry}
        taped = generated.taped
        decorator = self.target.decorator(self.options["cache"] and self.target.cacheable(functions))
        texts = [render_function(fn, program.source_map.line_text, self.target.function_decorator(fn, decorator))
                 for fn in functions]
        for key, name, text in self.form.generated(self, program, types, names, decorator):
            self.target.legalize_driver(text, self.kind, functions)
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
        spec = Specialization(source, load_module(source), names, program, types, taped, generated.core,
                              generated.checkpointed)
        spec.names = names   # what the module calls each function (a batch module imports them by name)
        return spec

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

    # tuple wrt arguments -----------------------------------------------
    def packing(self, arities):
        """The :class:`~srcad.api.packing.Packing` of calls whose wrt arguments ``arities`` (index -> length)
        are tuples, made once; None when ``arities`` is empty."""
        if not arities:
            return None
        key = tuple(sorted(arities.items()))
        found = self.built.packings.get(key)
        if found is None:
            def made(info, wrt):
                return _public_callable(Transformation(self.original, self.kind, wrt, self.has_aux, _info=info,
                                                       **self.options, **self.own_options))

            found = self.built.packings[key] = Packing(self, arities, made)
        return found

    def python_packing(self, args):
        """The packing of a call from Python with arguments ``args``, or None (no wrt argument is a tuple)."""
        return self.packing(tuple_arities(self, lambda a: type(a) is tuple, len, args))

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
        found = self.built.by_python_type.get(key)
        if found is None:
            _, _, types = self.split_args(args, self.extra_count())
            spec = self.specialize(types)
            function = spec.functions[self.form.python_entry(self)]
            converts = any(types[i] == "int" for i in self.wrt)
            found = self.built.by_python_type[key] = (spec, function, converts)
        return found

    def __call__(self, *args):
        packing = self.python_packing(args)
        if packing is not None:
            return packing.call(args)   # the derivative of the elements makes its own checks and errors
        try:
            result = self._call(args)
        except Exception as error:
            if type(error).__module__.startswith("numba."):
                raise SrcadError(
                    f"Numba could not compile the derivative of {self.info.name}() that srcad generated; "
                    f"this is a bug in srcad. The generated module is {self.built.last.module.__file__}.\n{error}"
                ) from error
            raise
        if self.options["check"]:
            from ..checking.calls import verify_call

            verify_call(self, args, result)
        return result

    def _call(self, args):
        if self.target.device_only:
            return self._call_simulated(args)
        spec, function, converts = self._resolve(args)
        n = len(self.info.params)
        if converts or len(args) != n + self.extra_count():
            params, extra, _ = self.split_args(args, len(args) - n)
        else:
            params, extra = args[:n], args[n:]
        return self.form.call(self, spec, function, params, extra)

    def _call_simulated(self, args):
        """A device derivative called from Python: only inside a kernel run by Numba's CUDA simulator, which
        runs device functions as Python; it runs what a ``@cuda.jit`` caller compiles."""
        from numba.core import config

        if not config.ENABLE_CUDASIM:
            self._resolve(args[:-1])   # what the target refuses for these arguments is told first (not the workspace)
            raise SrcadError(f"{self.kind} of {self.label} with target={self.target.name!r} is a device function: "
                             "call it from a @cuda.jit kernel, or run it over many items with srcad.batch")
        import numba

        key = tuple(_python_type_key(a) for a in args)
        impl = self.built.simulated.get(key)
        if impl is None:
            impl = self.built.simulated[key] = self.numba_impl(tuple(numba.typeof(a) for a in args))
        return impl(*args)

    def run_taped(self, spec, args):
        """Run ``spec``'s taped main function on ``args`` with the kept tapes; (value, derivative).

        With checkpoint="auto" a store-all run whose tapes would outgrow the budget stops after its
        forward sweep; the call, and every later call with these types, runs the checkpointed build."""
        main = self.form.python_entry(self)
        if spec.variant is not None:
            spec = spec.variant
        budget = self.tape_budget if self.checkpoint is None and not spec.checkpointed else None
        outcome = self.target.run_taped(spec.functions[main], args, self.built.tapes, budget, spec.checkpointed)
        if outcome is None:
            spec.variant = self._checkpointed_build(spec)
            spec = spec.variant
            outcome = self.target.run_taped(spec.functions[main], args, self.built.tapes, None, spec.checkpointed)
        value, derivative, self.built.report = outcome
        return value, derivative

    def _checkpointed_build(self, spec):
        """The build of ``spec``'s types whose outer loops are checkpointed within the "auto" budget."""
        saved = self.checkpoint
        self.checkpoint = ("auto", self.tape_budget)
        try:
            variant = self._build(spec.arg_types)
        finally:
            self.checkpoint = saved
        self.built.last = variant
        return variant

    # calling from Numba ----------------------------------------------
    def numba_impl(self, nbtypes):
        """What an ``@njit`` caller compiles for these Numba argument types (see :mod:`srcad.api.entry`)."""
        return numba_impl(self, nbtypes)

    # pickling --------------------------------------------------------
    def pickled(self):
        """How the public callable pickles, by reference: ``(_rebuilt, (function, kind, wrt, has_aux,
        options))``, the function named by module and qualified name (see :mod:`srcad.api.references`),
        or, for a derivative of a derivative, the inner derivative (pickled the same way)."""
        func = self.original if self.inner is not None else \
            function_reference(self.original, f"the {self.kind} of {self.label}")
        wrt = self.wrt[0] if self.single_wrt else self.wrt
        return _rebuilt, (func, self.kind, wrt, self.has_aux, {**self.options, **self.own_options})


_LOADED = {}   # the derivatives unpickled in this process, by what their pickles say
_LOADING = threading.Lock()
_PLAIN = (type(None), bool, int, float, str)


def _rebuilt(func, kind, wrt, has_aux, options):
    """The derivative a pickle describes, made once a process: a worker that is sent it with every task
    builds and compiles it once (its generated modules come from the on-disk cache)."""
    key = None
    if all(isinstance(value, _PLAIN) for value in options.values()):
        key = (func, kind, wrt, has_aux, tuple(sorted(options.items())))
    with _LOADING:
        found = _LOADED.get(key) if key is not None else None
        if found is None:
            found = _public_callable(Transformation(func, kind, wrt, has_aux, **options))
            if key is not None:
                _LOADED[key] = found
    return found


def _check_target(options, kind):
    """Refuse a target that does not exist, and what the CUDA target cannot do, before anything is built."""
    target = options["target"]
    if target not in ("cpu", "parallel", "cuda"):
        raise SrcadError(f"target={target!r}: use 'cpu', 'parallel' or 'cuda'")
    if target != "cuda":
        return
    if importlib.util.find_spec("numba_cuda") is None:
        raise SrcadError("target='cuda' needs numba-cuda: python3 -m pip install 'srcad[cuda]'")
    refused = {
        "forward_grad": "it draws its random directions with NumPy, which device code has not",
        "jacobian": "a Jacobian is an array, which a device function cannot allocate",
        "jacfwd": "a Jacobian is an array, which a device function cannot allocate",
        "jacrev": "a Jacobian is an array, which a device function cannot allocate",
    }
    if kind in refused:
        raise UnsupportedError(f"{kind} with target='cuda': {refused[kind]}; use target='cpu' or 'parallel'",
                               construct=kind)
    if options["check"]:
        raise SrcadError("check=True compares calls from Python with finite differences; a derivative with "
                         "target='cuda' is called from kernels: check the CPU derivative instead")
    if options["checkpoint"] not in ("auto", None):
        raise UnsupportedError("checkpoint= with target='cuda': the snapshots of a checkpointed loop are arrays, "
                               "which a device function cannot allocate; each thread records every iteration",
                               construct="checkpoint")


def source(f, mode="reverse", wrt=0, args=None):
    """The generated Python source of ``f``'s derivative, as text.

    ``mode`` is ``"reverse"`` (adjoint) or ``"forward"`` (tangent).  Argument
    types are taken from the example ``args``; without them every argument is
    taken to be a float.  For a callable returned by :func:`grad` and friends
    the source is that derivative's own (a Hessian's for ``hessian(f)``, and so
    on; ``mode`` does not apply): for the types of ``args`` where given, else
    of its most recent specialization.

    >>> import srcad
    >>> def f(x):
    ...     return x * x
    >>> print(srcad.source(f, mode="forward"))   # doctest: +ELLIPSIS
    # Generated by srcad ...
    """
    transformation = getattr(f, "__srcad__", None)
    if transformation is not None and args is None:
        if transformation.built.last is None:
            transformation.specialize(("float",) * len(transformation.info.params))
        return transformation.built.last.source
    if transformation is not None:
        packing = transformation.python_packing(tuple(args))
        if packing is not None:
            return source(packing.derivative, args=[v for i, a in enumerate(args)
                                                     for v in (a if i in packing.arities else (a,))])
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
    elif transformation.python_packing(tuple(args)) is not None:
        return source(_public_callable(transformation), args=args)
    else:
        types = transformation.split_args(tuple(args) + (0.0,) * (len(transformation.wrt) if mode == "forward" else 0),
                                          len(transformation.wrt) if mode == "forward" else 0)[2]
    return transformation.specialize(types).source


def tape_report(f):
    """What the tapes and snapshots of the last call of derivative ``f`` from Python held.

    A :class:`~srcad.backend.reports.TapeReport`: the strategy ("store-all" or "binomial"), the bytes of
    the tapes, and for each checkpointed loop its line, steps, snapshots, snapshot bytes and the steps
    run again.  None before the first call (and for derivatives that keep no tape).

    >>> import srcad
    >>> def f(x, n):
    ...     for i in range(n):
    ...         x = x * x * 0.5 + 0.25
    ...     return x
    >>> g = srcad.grad(f, checkpoint=4)
    >>> _ = g(0.3, 100)
    >>> report = srcad.tape_report(g)
    >>> report.loops[0].trips, report.loops[0].snapshots
    (100, 4)
    """
    transformation = getattr(f, "__srcad__", None)
    if transformation is None:
        raise SrcadError("tape_report() takes a derivative made by srcad (grad, vjp, value_and_grad, ...)")
    report = transformation.built.report
    return report[0](*report[1:]) if report is not None else None

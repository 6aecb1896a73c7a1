"""The entry for ``@njit`` callers: the public callable of a transformation and its Numba overload.

:func:`_public_callable` makes the :class:`Derivative` that :func:`srcad.grad`
and friends return, callable from Python and, through
``numba.extending.overload``, from ``@njit`` code; :func:`numba_impl` writes
the implementation Numba compiles for one tuple of argument types.
"""

import functools
import inspect
import pickle

import numpy as np

from ..errors import ShapeError, SrcadError, UnsupportedError
from .arguments import _extra_names, _type_of_numba
from .packing import tuple_arities


def numba_impl(t, nbtypes):
    """The implementation an ``@njit`` caller of ``t`` compiles for the Numba types ``nbtypes`` of its
    arguments: specialize, check the extra arguments, call the compiled derivative, present its result.
    A device derivative's last argument is its workspace (see :func:`workspace_name`)."""
    from numba.core import types as nb

    def is_tuple(nbtype):
        return isinstance(nbtype, nb.BaseTuple) and not isinstance(nbtype, nb.BaseNamedTuple)

    packing = t.packing(tuple_arities(t, is_tuple, len, nbtypes, lambda nbtype: nbtype.types))
    if packing is not None:
        return packing.numba_impl(nbtypes)
    params = t.info.params
    n = len(params)
    workspace = workspace_name(t)
    if workspace:
        nbtypes, workspace_type = nbtypes[:-1], nbtypes[-1]
    types = tuple(_type_of_numba(nbtype, i, p, t.info) for i, (nbtype, p) in enumerate(zip(nbtypes[:n], params)))
    refuse_bare_array(t, types)
    spec = t.specialize(types)
    t.form.check_numba(t, spec, nbtypes[:n], nbtypes[n:])
    passed = [f"float({p})" if i in t.wrt and types[i] == "int" else p for i, p in enumerate(params)]
    extra = _extra_names(t, n)
    lines = t.form.guard_source(t, types, extra)
    call, target = t.form.numba_call(t, spec, passed, extra)
    if workspace and takes_workspace(target):
        check_workspace(t, spec, types, workspace_type)
        call = f"{call[:-1]}, {workspace})"
    if t.has_aux:
        lines.append(f"__srcad_r = {call}")
    lines.append(f"return {t.form.present_source(t, spec, call)}")
    namespace = {"__srcad_f": target, "__srcad_shape_error": ShapeError, "__srcad_np": np}
    body = "".join(f"    {line}\n" for line in lines)
    exec(f"def impl({', '.join(params + extra + ([workspace + '=None'] if workspace else []))}):\n{body}",
         namespace)
    return namespace["impl"]


def workspace_name(t):
    """The name of the last argument of a device derivative, its workspace (None for other targets): a
    float64 array from which the derivative carves the arrays it makes."""
    if not t.target.device_only:
        return None
    name = "workspace"
    while name in t.info.params or name in _extra_names(t, len(t.info.params)):
        name = "_" + name
    return name


def python_function(function):
    """The Python function behind a compiled generated ``function`` (a Numba dispatcher, a CUDA device
    function, or its stand-in under the CUDA simulator)."""
    for attribute in ("py_func", "fn"):
        inner = getattr(function, attribute, None)
        if callable(inner):
            return inner
    return function


def takes_workspace(function):
    """Does compiled generated ``function`` take a workspace (a CUDA derivative that makes arrays)?"""
    code = python_function(function).__code__
    return "_workspace" in code.co_varnames[:code.co_argcount]


def bare_array_result(t, types):
    """Is the result of ``t`` for argument types ``types`` an array alone (not inside a tuple)?"""
    from ..analysis import ArrayType

    bare = t.kind in ("hvp", "hessian") or (t.kind == "grad" and t.single_wrt and not t.has_aux)
    return bare and isinstance(types[t.wrt[0]], ArrayType)


def refuse_bare_array(t, types):
    """Refuse a device derivative whose result for argument types ``types`` is an array alone: Numba's CUDA
    target lets a device function return a view of its arguments only inside a tuple."""
    if t.target.device_only and bare_array_result(t, types):
        raise UnsupportedError(
            f"{t.kind} of {t.label} with target='cuda': its result would be an array alone, and Numba's CUDA "
            "target lets a device function return an array it did not receive only inside a tuple; ask for "
            "grad(..., wrt=(i,)) or value_and_grad, whose results are tuples", construct="an array alone as the "
            "result")


def check_workspace(t, spec, types, workspace_type):
    """Refuse, when a kernel that calls device derivative ``t`` is typed, a missing or wrong workspace."""
    from numba.core import types as nb

    where = f"{t.kind} of {t.label} with target='cuda'"
    if workspace_type is None or isinstance(workspace_type, (nb.NoneType, nb.Omitted)):
        raise SrcadError(f"{where} makes arrays, which a device function cannot allocate: pass it a workspace "
                         "as its last argument, a float64 array of srcad.workspace_size(derivative, *args) "
                         "entries (a row of a device array, or a cuda.local.array of that constant size)")
    if not (isinstance(workspace_type, nb.Array) and workspace_type.ndim == 1
            and workspace_type.dtype == nb.float64):
        raise SrcadError(f"{where}: its workspace must be a one-dimensional float64 array, not {workspace_type}")


class Derivative:
    """A derivative made by srcad: what :func:`srcad.grad` and the other transforms return.

    Called from Python it runs its transformation (``__srcad__``) through a plain function of the
    derivative's own signature; ``@njit`` code calls it through the Numba overload that
    :func:`_public_callable` registers.  Like a function it pickles by reference: the pickle names
    its function and options, and loading it makes the same derivative again (see
    :meth:`srcad.api.transformation.Transformation.pickled`).
    """

    def __init__(self, transformation, function):
        self.__srcad__ = transformation
        self._function = function
        self.__signature__ = inspect.signature(function)

    def __call__(self, *args, **kwargs):
        return self._function(*args, **kwargs)

    @property
    def __defaults__(self):
        return self._function.__defaults__   # what a derivative of this derivative takes as its own

    def __reduce__(self):
        return self.__srcad__.pickled()

    def __dask_tokenize__(self):
        # Dask names a task by a token of its function, else by pickling it three times and giving
        # up with "cannot be deterministically hashed": the pickle is the token, and a derivative that
        # cannot be pickled says why here
        return pickle.dumps(self)

    # a derivative is as immutable as a function: copies are the derivative itself
    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __repr__(self):
        return f"<srcad {self.__srcad__.kind} of {self.__srcad__.label}>"


def _public_callable(transformation):
    """The :class:`Derivative` of ``transformation``, callable from Python and from ``@njit`` code."""
    from numba.extending import overload

    params = transformation.info.params + _extra_names(transformation, len(transformation.info.params))
    workspace = workspace_name(transformation)
    if workspace:
        params = params + [workspace]
    signature = ", ".join(params)
    name = f"{transformation.kind}_{transformation.info.name}"
    namespace = {"__srcad_call": transformation, "__srcad_impl": transformation.numba_impl}
    declared = signature + "=None" if workspace else signature   # a device derivative's workspace is optional
    exec(
        f"def {name}({declared}):\n    return __srcad_call({signature})\n\n"
        f"def typer({declared}):\n    return __srcad_impl(({signature}{',' if len(params) == 1 else ''}))\n",
        namespace,
    )
    function = namespace[name]
    if transformation.form.takes_defaults:
        # the primal's default values, when called from Python (jvp and vjp append arguments after them)
        function.__defaults__ = transformation.primal.__defaults__
        if workspace:
            function.__defaults__ = (function.__defaults__ or ()) + (None,)
    public = Derivative(transformation, function)
    overload(public)(namespace["typer"])
    functools.update_wrapper(public, transformation.primal, assigned=("__module__", "__doc__"), updated=())
    public.__name__ = public.__qualname__ = name
    public.__srcad_primal__ = transformation.primal
    transformation.public = public
    return public


def item_source(t, spec, fname, decorator, callee_key):
    """(text of the item function of a batch of ``t``, the names it imports from ``spec``'s module, whether it
    takes a workspace (``_workspace``, before the tapes) for the arrays a CUDA derivative makes).

    ``fname(params..., extra...)`` returns a 1-tuple of the derivative's result as its public callable
    presents it, after the checks an ``@njit`` caller makes; for a derivative that records on tapes it
    takes ``_ftape, _itape`` too, calls the function ``callee_key`` names in ``spec`` (the target's sweep
    with tapes) and returns ``(result, what that sweep returned after its value and derivative)``.
    """
    params = t.info.params
    n = len(params)
    extra = _extra_names(t, n)
    passed = [f"float({p})" if i in t.wrt and spec.arg_types[i] == "int" else p for i, p in enumerate(params)]
    lines = t.form.guard_source(t, spec.arg_types, extra)
    args = params + extra
    if spec.taped:
        callee = spec.names[callee_key]
        carves = takes_workspace(spec.functions[callee_key])
        given = ["_workspace"] if carves else []
        args = args + given
        lines.append(f"__srcad_r = {callee}({', '.join(passed + t.form.call_source(extra) + given)}, _ftape, _itape)")
        whole = "(__srcad_r[0], __srcad_r[1])"
        presented = t.form.present_source(t, spec, whole)
        presented = presented.replace(whole + "[0]", "__srcad_r[0]").replace(whole + "[1]", "__srcad_r[1]")
        lines.append(f"return ({presented}, __srcad_r[2], __srcad_r[3])")
        args = args + ["_ftape", "_itape"]
    else:
        call, function = t.form.numba_call(t, spec, passed, extra)
        callee = spec.names[next(key for key, f in spec.functions.items() if f is function)]
        carves = takes_workspace(function)
        if carves:
            call = f"{call[:-1]}, _workspace)"
            args = args + ["_workspace"]
        lines.append(f"__srcad_r = {call.replace('__srcad_f(', callee + '(', 1)}")
        lines.append(f"return ({t.form.present_source(t, spec, '__srcad_r')},)")
    body = "".join(f"    {line}\n" for line in lines)
    return f"{decorator}\ndef {fname}({', '.join(args)}):\n{body}", [callee], carves

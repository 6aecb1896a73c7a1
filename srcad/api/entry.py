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

from ..errors import ShapeError
from .arguments import _extra_names, _type_of_numba
from .packing import tuple_arities


def numba_impl(t, nbtypes):
    """The implementation an ``@njit`` caller of ``t`` compiles for the Numba types ``nbtypes`` of its
    arguments: specialize, check the extra arguments, call the compiled derivative, present its result."""
    from numba.core import types as nb

    def is_tuple(nbtype):
        return isinstance(nbtype, nb.BaseTuple) and not isinstance(nbtype, nb.BaseNamedTuple)

    packing = t.packing(tuple_arities(t, is_tuple, len, nbtypes, lambda nbtype: nbtype.types))
    if packing is not None:
        return packing.numba_impl(nbtypes)
    params = t.info.params
    n = len(params)
    types = tuple(_type_of_numba(nbtype, i, p, t.info) for i, (nbtype, p) in enumerate(zip(nbtypes[:n], params)))
    spec = t.specialize(types)
    t.form.check_numba(t, spec, nbtypes[:n], nbtypes[n:])
    passed = [f"float({p})" if i in t.wrt and types[i] == "int" else p for i, p in enumerate(params)]
    extra = _extra_names(t, n)
    lines = t.form.guard_source(t, types, extra)
    call, target = t.form.numba_call(t, spec, passed, extra)
    if t.has_aux:
        lines.append(f"__srcad_r = {call}")
    lines.append(f"return {t.form.present_source(t, spec, call)}")
    namespace = {"__srcad_f": target, "__srcad_shape_error": ShapeError, "__srcad_np": np}
    body = "".join(f"    {line}\n" for line in lines)
    exec(f"def impl({', '.join(params + extra)}):\n{body}", namespace)
    return namespace["impl"]


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
    signature = ", ".join(params)
    name = f"{transformation.kind}_{transformation.info.name}"
    namespace = {"__srcad_call": transformation, "__srcad_impl": transformation.numba_impl}
    exec(
        f"def {name}({signature}):\n    return __srcad_call({signature})\n\n"
        f"def typer({signature}):\n    return __srcad_impl(({signature}{',' if len(params) == 1 else ''}))\n",
        namespace,
    )
    function = namespace[name]
    if transformation.form.takes_defaults:
        # the primal's default values, when called from Python (jvp and vjp append arguments after them)
        function.__defaults__ = transformation.primal.__defaults__
    public = Derivative(transformation, function)
    overload(public)(namespace["typer"])
    functools.update_wrapper(public, transformation.primal, assigned=("__module__", "__doc__"), updated=())
    public.__name__ = public.__qualname__ = name
    public.__srcad_primal__ = transformation.primal
    transformation.public = public
    return public


def item_source(t, spec, fname, decorator, callee_key):
    """(text of the item function of a batch of ``t``, the names it imports from ``spec``'s module).

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
        lines.append(f"__srcad_r = {callee}({', '.join(passed + t.form.call_source(extra) + ['_ftape', '_itape'])})")
        whole = "(__srcad_r[0], __srcad_r[1])"
        presented = t.form.present_source(t, spec, whole)
        presented = presented.replace(whole + "[0]", "__srcad_r[0]").replace(whole + "[1]", "__srcad_r[1]")
        lines.append(f"return ({presented}, __srcad_r[2], __srcad_r[3])")
        args = args + ["_ftape", "_itape"]
    else:
        call, function = t.form.numba_call(t, spec, passed, extra)
        callee = spec.names[next(key for key, f in spec.functions.items() if f is function)]
        lines.append(f"__srcad_r = {call.replace('__srcad_f(', callee + '(', 1)}")
        lines.append(f"return ({t.form.present_source(t, spec, '__srcad_r')},)")
    body = "".join(f"    {line}\n" for line in lines)
    return f"{decorator}\ndef {fname}({', '.join(args)}):\n{body}", [callee]

"""The public functions: grad, value_and_grad, jvp, hessian, hvp, vjp, jacfwd, jacrev, jacobian, explain
and forward_grad, each a decorator that makes a :class:`Transformation` and its public callable.

Here too the chain module is handed its sweep makers (:func:`srcad.chain.provide_sweeps`).
"""

import ast

from ..chain import provide_sweeps
from ..drivers.jacobians import BLOCK
from ..errors import SrcadError
from .entry import _public_callable
from .kinds import _JacAuto, _Jacobian
from .transformation import Transformation


def _decorator(kind):
    def transform(f=None, *, wrt=0, **options):
        if f is None:
            return lambda g: _public_callable(Transformation(g, kind, wrt, **options))
        return _public_callable(Transformation(f, kind, wrt, **options))

    # what the frontend recognizes in srcad.grad(g)(x) written inside a function being differentiated
    transform.__srcad_transform__ = kind
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
    ``@numba.njit`` code are not checked); ``checkpoint=`` and ``memory=``
    bound the tapes (see the README); ``target="cpu"`` (the default),
    ``"parallel"`` (the same code, whose :func:`srcad.batch` runs on all
    cores) or ``"cuda"`` (a ``numba.cuda`` device function for your
    ``@cuda.jit`` kernels, with the same arguments).

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
    elif t.built.last_call is not None:
        spec, params = t.built.last_call
    else:
        raise SrcadError(f"explain: call the Jacobian of {t.label} first, or pass its arguments")
    n, m, forward, reverse, chosen = t.form.plan(spec, params)
    build = t.built.jacobian_builds[id(spec.program)]
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
        f"-> reverse: {blocks_m} sweep(s), estimated {reverse:.1f}" if not build.reverse_by_sweeps else
        f"  adjoint sweep (scalar, one a row of the Jacobian): {adjoint_direction:.1f} "
        f"-> reverse: {m} sweep(s), estimated {reverse:.1f}",
        f"  mode: {chosen}, estimated at {ratio:.2f} times the cost of {other}",
    ]
    if build.decided is not None:
        lines.append(f"  the argument types decide it for every size: @njit callers compile {chosen} mode alone")
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

"""The Jacobian of a chain of the user's functions, evaluated by a bracketing plan (mixed mode).

:class:`ChainJacobian` recognizes a chain (``srcad.analysis.chain``), measures the
cost of one tangent and one adjoint sweep of each layer and of the whole function,
plans the products (``srcad.bracketing``), runs the layers once in order for the
intermediate values, computes each run of layers in its mode with the layers'
``srcad.jvp``/``srcad.vjp`` (or a single factor, or the whole Jacobian, at once
with a given Jacobian maker such as vector mode) and multiplies in the planned
order.  :func:`chain_jacobian` is the public entry; :func:`chain_for` the hook of
``jacobian(mode="auto")``.
"""

import ast
import inspect
import math
import time

import numpy as np

from .analysis.chain import find_chain
from .bracketing import (STRATEGIES, ChainPlan, DenseOrder, Product, Run, dense_orders, flop_product_cost,
                         plan_chain)
from .errors import SrcadError
from .frontend import read_function

__all__ = ["ChainJacobian", "NotAChainCall", "chain_for", "chain_jacobian", "sweep_jacobian", "measured_product_cost",
           "STRATEGIES", "ChainPlan", "DenseOrder", "Product", "Run", "dense_orders", "flop_product_cost",
           "plan_chain"]


# ---------------------------------------------------------------- evaluation
class NotAChainCall(Exception):
    """The values of this call do not make a chain (an intermediate that is not a float array or
    number, or a layer that changes an argument another layer reads)."""


def _width_and_shape(value):
    if isinstance(value, np.ndarray) and value.ndim >= 1 and value.dtype.kind == "f":
        return value.size, value.shape
    if isinstance(value, (float, np.floating)) and not isinstance(value, bool):
        return 1, ()
    raise NotAChainCall


class _LayerDerivatives:
    """A layer's value, tangent and adjoint sweeps, for the chained argument."""

    def __init__(self, layer, options):
        self.layer = layer
        self.jvp, self.vjp = _sweeps(layer.callee, layer.position, options)
        self.signature = inspect.signature(layer.callee)
        self.compiled = None   # the code of the other arguments, compiled on first use
        self.parameter_count = len(self.signature.parameters)

    def arguments(self, chained, scope, namespace, filename):
        """The layer's positional arguments with ``chained`` in its place, others evaluated in ``scope``."""
        if self.compiled is None:
            self.compiled = ([None if tree is None else _compiled(tree, filename) for tree in self.layer.arguments],
                             [(name, _compiled(tree, filename)) for name, tree in self.layer.keywords])
        positional_code, keyword_code = self.compiled
        positional = [chained if code is None else _evaluate(code, scope, namespace) for code in positional_code]
        if not keyword_code and len(positional) == self.parameter_count:
            return positional
        keywords = {name: _evaluate(code, scope, namespace) for name, code in keyword_code}
        bound = self.signature.bind(*positional, **keywords)
        bound.apply_defaults()
        return list(bound.arguments.values())

    def value(self, args, shape_in):
        """The layer's value at ``args``: its primal compiled with Numba, or where Numba refuses it,
        a tangent sweep with a zero direction."""
        primal = _compiled_primal(self.layer.callee)
        if primal is not None:
            try:
                return primal(*args)
            except Exception as error:
                if not type(error).__module__.startswith("numba"):
                    raise
                _PRIMALS[self.layer.callee] = None
        return self.jvp(*args, _shaped(np.zeros(_size(shape_in)), shape_in))[0]

    def push(self, args, matrix, shape_in):
        """J @ matrix: one tangent sweep per column."""
        columns = [np.ravel(self.jvp(*args, _shaped(matrix[:, c], shape_in))[1]) for c in range(matrix.shape[1])]
        return np.stack(columns, axis=1)

    def pull(self, args, matrix, shape_out):
        """matrix @ J: one adjoint sweep per row."""
        rows = [np.ravel(self.vjp(*args, _shaped(matrix[r], shape_out))[1]) for r in range(matrix.shape[0])]
        return np.stack(rows)


_SWEEPS = {}
_PRIMALS = {}


def _compiled_primal(func):
    """``numba.njit(func)``, made once per process; None where Numba refused it."""
    if func not in _PRIMALS:
        import numba

        _PRIMALS[func] = numba.njit(func)
    return _PRIMALS[func]


# the makers of sweeps, handed in by the API (this module does not import it): "jvp" and "vjp"
_MAKERS = {}


def provide_sweeps(jvp, vjp):
    """Give chains the makers of their sweeps: ``jvp(func, wrt=..., **options)`` and the same for ``vjp``."""
    _MAKERS.update(jvp=jvp, vjp=vjp)


def _sweeps(func, position, options):
    """``srcad.jvp`` and ``srcad.vjp`` of ``func`` for argument ``position``, made once per process
    (a layer used twice, or by two chains, is compiled once)."""
    key = (func, position, tuple(sorted(options.items())))
    found = _SWEEPS.get(key)
    if found is None:
        jvp, vjp = _MAKERS["jvp"], _MAKERS["vjp"]
        found = _SWEEPS[key] = (jvp(func, wrt=position, **options), vjp(func, wrt=position, **options))
    return found


def _arguments_key(values):
    """What of the arguments can decide the intermediate shapes: array shapes and dtypes, the values
    of integers, booleans and strings, the types of the rest."""
    key = []
    for value in values:
        if isinstance(value, np.ndarray):
            key.append(("array", value.dtype.str, value.shape))
        elif isinstance(value, tuple):
            key.append(("tuple",) + tuple(_arguments_key(value)))
        elif isinstance(value, (bool, int, str, np.integer, np.bool_)) or value is None:
            key.append((type(value).__name__, value))
        else:
            key.append(type(value).__name__)
    return tuple(key)


def _size(shape):
    return math.prod(shape)


def _shaped(vector, shape):
    """A flat direction as the layer takes it: a float for a scalar, else an array of ``shape``."""
    if shape == ():
        return float(vector[0])
    if vector.shape == shape and vector.flags.c_contiguous:
        return vector
    return np.ascontiguousarray(vector).reshape(shape)


def _compiled(tree, filename):
    """An argument's syntax tree ready to evaluate: a parameter's name as itself, else compiled code."""
    if isinstance(tree, ast.Name):
        return tree.id
    return compile(ast.Expression(tree), filename, "eval")


def _evaluate(code, scope, namespace):
    """The value of an argument among the chain function's parameters (and its globals)."""
    if isinstance(code, str) and code in scope:
        return scope[code]
    if isinstance(code, str):
        return namespace[code]
    return eval(code, namespace, scope)


def _best_time(call, repeats=3):
    call()                                     # compiles, and warms the caches
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


_PRODUCT_MODEL = []


def measured_product_cost(rows, inner, columns):
    """Seconds for a (rows x inner) @ (inner x columns) product: a call's overhead plus a time per
    multiplication, both measured once per process."""
    if not _PRODUCT_MODEL:
        small = np.ones((1, 1))
        a, b = np.ones((128, 128)), np.ones((128, 128))
        overhead = _best_time(lambda: small @ small, 20)
        per_multiplication = max(_best_time(lambda: a @ b, 5) - overhead, 0.0) / 128 ** 3
        _PRODUCT_MODEL.extend([overhead, per_multiplication])
    overhead, per_multiplication = _PRODUCT_MODEL
    return overhead + per_multiplication * rows * inner * columns


class ChainJacobian:
    """The Jacobian of a chain function, evaluated by a :class:`ChainPlan`.

    ``ChainJacobian(f, wrt)`` recognizes ``f`` as a chain of the user's functions with
    respect to argument ``wrt`` (``is_chain`` says whether it is); calling it with
    ``f``'s arguments returns the Jacobian, shaped ``out.shape + in.shape``, or raises
    :class:`NotAChainCall` when the values do not make a chain.  The plan of the last
    call is ``plan``; one plan is made per tuple of intermediate shapes, from sweep
    costs measured on that first call (``costs="measure"``) or from given costs
    ``costs=(tangent_costs, adjoint_costs)`` counted in multiplications (optionally
    with the whole function's Jacobian costs, forward and reverse, and a list of
    each layer's, as third and fourth items).

    ``jacobians(func, wrt, mode)``, when given, makes the Jacobian of a function at
    once (e.g. by vector mode); then a single layer's factor and the whole
    function's Jacobian are made by it, when the plan finds that cheaper than
    sweeps direction by direction.
    """

    def __init__(self, func, wrt=0, strategy="auto", costs="measure", jacobians=None, **options):
        if strategy not in STRATEGIES:
            raise SrcadError(f"strategy must be one of {', '.join(map(repr, STRATEGIES))}, got {strategy!r}")
        self.info = read_function(func)
        self.strategy = strategy
        self.costs = costs
        self.options = options
        self.jacobians = jacobians
        count = len(self.info.params)
        self.wrt = wrt % count if isinstance(wrt, int) and -count <= wrt < count else wrt
        self.chain = find_chain(self.info, self.wrt)
        self.signature = inspect.signature(self.info.func)
        self._derivatives = None
        self.plans = {}          # (intermediate shapes, strategy) -> plan
        self.measured = {}       # intermediate shapes -> measured sweep costs
        self.by_arguments = {}   # (what of the arguments decides shapes, strategy) -> (plan, shapes)
        self._jacobians = {}     # (function, wrt, mode) -> a Jacobian from ``jacobians``
        self.plan = None

    @property
    def is_chain(self):
        return self.chain is not None

    def derivatives(self):
        if self._derivatives is None:
            self._derivatives = [_LayerDerivatives(layer, self.options) for layer in self.chain.layers]
        return self._derivatives

    def bind(self, args):
        """The function's positional arguments (defaults applied) and its scope of parameters."""
        if len(args) == len(self.info.params):
            return list(args), dict(zip(self.info.params, args))
        bound = self.signature.bind(*args)
        bound.apply_defaults()
        return list(bound.arguments.values()), dict(bound.arguments)

    def values(self, scope):
        """The intermediate values h_0 .. h_L, their shapes and each layer's arguments, running the
        layers once in order."""
        if not self.is_chain:
            raise NotAChainCall
        values = [scope[self.chain.input]]
        shapes = [_width_and_shape(values[0])[1]]
        arguments = []
        for derivative in self.derivatives():
            layer_args = derivative.arguments(values[-1], scope, self.info.namespace, self.info.filename)
            value = derivative.value(layer_args, shapes[-1])
            shapes.append(_width_and_shape(value)[1])
            values.append(value)
            arguments.append(layer_args)
        return values, shapes, arguments

    def plan_for(self, shapes, arguments, strategy, positional):
        """The plan for these intermediate shapes (made on first use, then reused); measured sweep
        costs are kept per shape, so plans of other strategies compare on the same measurements."""
        key = tuple(shapes)
        plan = self.plans.get((key, strategy))
        if plan is None:
            widths = [_size(s) for s in shapes]
            names = [d.layer.name for d in self.derivatives()]
            if self.costs == "measure":
                if key not in self.measured:
                    scope = dict(zip(self.info.params, positional))
                    self.measured[key] = (*self.measure(shapes, arguments), self.measure_whole(positional, shapes),
                                          self.measure_matrices(arguments), _best_time(lambda: self.values(scope)))
                tangent, adjoint, whole, matrices, values = self.measured[key]
                plan = plan_chain(widths, tangent, adjoint, strategy, measured_product_cost, names, self.chain.input,
                                  whole, matrices, values)
                plan.measured = True
            else:
                tangent, adjoint, *rest = self.costs
                plan = plan_chain(widths, tangent, adjoint, strategy, flop_product_cost, names, self.chain.input,
                                  rest[0] if rest else None, rest[1] if len(rest) > 1 else None)
            self.plans[key, strategy] = plan
        return plan

    def measure_whole(self, positional, shapes):
        """Seconds of the whole function's Jacobian in forward and in reverse mode: by ``jacobians``,
        or one sweep's time times the number of directions."""
        if self.jacobians is not None:
            return tuple(_best_time(lambda: self.jacobian_of(self.info.func, self.wrt, mode)(*positional), 2)
                         for mode in ("forward", "reverse"))
        fj, fv = _sweeps(self.info.func, self.wrt, self.options)
        tangent = _shaped(np.ones(_size(shapes[0])), shapes[0])
        cotangent = _shaped(np.ones(_size(shapes[-1])), shapes[-1])
        return (_size(shapes[0]) * _best_time(lambda: fj(*positional, tangent)),
                _size(shapes[-1]) * _best_time(lambda: fv(*positional, cotangent)))

    def measure_matrices(self, arguments):
        """Seconds of each layer's own Jacobian by ``jacobians``, forward and reverse (None without it)."""
        if self.jacobians is None:
            return None
        return [tuple(_best_time(lambda: self.jacobian_of(d.layer.callee, d.layer.position, mode)(*args), 2)
                      for mode in ("forward", "reverse"))
                for d, args in zip(self.derivatives(), arguments)]

    def jacobian_of(self, func, wrt, mode):
        """``jacobians(func, wrt, mode)``, made once."""
        key = (func, wrt, mode)
        if key not in self._jacobians:
            self._jacobians[key] = self.jacobians(func, wrt, mode)
        return self._jacobians[key]

    def measure(self, shapes, arguments):
        """Seconds of one tangent and one adjoint sweep of every layer, at these arguments."""
        tangent, adjoint = [], []
        for derivative, args, shape_in, shape_out in zip(self.derivatives(), arguments, shapes, shapes[1:]):
            direction = np.ones((_size(shape_in), 1))
            weights = np.ones((1, _size(shape_out)))
            tangent.append(_best_time(lambda: derivative.push(args, direction, shape_in)))
            adjoint.append(_best_time(lambda: derivative.pull(args, weights, shape_out)))
        return tangent, adjoint

    def __call__(self, *args):
        return self.jacobian(args)

    def jacobian(self, args, strategy=None):
        """The Jacobian at ``args`` by the plan of ``strategy`` (this object's own by default).

        A plan that sweeps the whole function needs no intermediate values: once made for
        arguments of these shapes it runs without them.
        """
        strategy = strategy or self.strategy
        positional, scope = self.bind(args)
        key = (_arguments_key(positional), strategy)
        known = self.by_arguments.get(key)
        if known is not None and isinstance(known[0].root, Run) and known[0].root.whole:
            result = self.sweep_whole(known[0].root.mode, positional, known[1])
            if result is not None:
                self.plan = known[0]
                return result
        values, shapes, arguments = self.values(scope)
        plan = self.plan_for(shapes, arguments, strategy, positional)
        self.by_arguments[key] = (plan, shapes)
        self.plan = plan
        if isinstance(plan.root, Run) and plan.root.whole:
            return self.sweep_whole(plan.root.mode, positional, shapes)   # shapes just seen: never None
        matrix = self.evaluate(plan.root, shapes, arguments)
        return matrix.reshape(tuple(shapes[-1]) + tuple(shapes[0]))

    def sweep_whole(self, mode, positional, shapes):
        """The Jacobian by sweeps of the whole function: one tangent sweep per input, or one adjoint
        sweep per output."""
        shape_in, shape_out = shapes[0], shapes[-1]
        if self.jacobians is not None:
            result = np.asarray(self.jacobian_of(self.info.func, self.wrt, mode)(*positional))
            expected = tuple(shape_out) + tuple(shape_in)
            return result if result.shape == expected else None
        fj, fv = _sweeps(self.info.func, self.wrt, self.options)
        if mode == "forward":
            sweeps = [fj(*positional, _shaped(e, shape_in)) for e in np.eye(_size(shape_in))]
            matrix = np.stack([np.ravel(tangent) for _, tangent in sweeps], axis=1)
        else:
            sweeps = [fv(*positional, _shaped(e, shape_out)) for e in np.eye(_size(shape_out))]
            matrix = np.stack([np.ravel(cotangent) for _, cotangent in sweeps])
        if np.shape(sweeps[0][0]) != tuple(shape_out):
            return None     # the result's shape is not the one these arguments had before
        return matrix.reshape(tuple(shape_out) + tuple(shape_in))

    def evaluate(self, node, shapes, arguments, widths=None):
        """The matrix J_stop ... J_(start+1) of a plan's node."""
        derivatives = self.derivatives()
        widths = widths or [_size(s) for s in shapes]
        if isinstance(node, Product):
            return (self.evaluate(node.outer, shapes, arguments, widths)
                    @ self.evaluate(node.inner, shapes, arguments, widths))
        if node.via == "matrix":
            layer = derivatives[node.start].layer
            factor = self.jacobian_of(layer.callee, layer.position, node.mode)(*arguments[node.start])
            return np.asarray(factor).reshape(widths[node.stop], widths[node.start])
        if node.mode == "forward":
            matrix = np.eye(widths[node.start])
            for k in range(node.start, node.stop):
                matrix = derivatives[k].push(arguments[k], matrix, shapes[k])
            return matrix
        matrix = np.eye(widths[node.stop])
        for k in range(node.stop - 1, node.start - 1, -1):
            matrix = derivatives[k].pull(arguments[k], matrix, shapes[k + 1])
        return matrix

    def explain(self):
        """The last call's plan as text ('' before the first call or for a function that is not a chain)."""
        return self.plan.text() if self.plan is not None else ""


def chain_for(func, wrt, jacobians=None, **options):
    """The :class:`ChainJacobian` of ``func`` with respect to argument ``wrt`` if ``func`` is a chain
    there, else None: the hook by which ``jacobian(mode="auto")`` brackets a chain.

    Calling the result with ``func``'s arguments gives the Jacobian, or raises
    :class:`NotAChainCall` when these values do not make a chain (then the caller
    computes the Jacobian as before); its ``explain()`` is the last plan as text.
    """
    if not isinstance(wrt, int):
        return None
    try:
        chained = ChainJacobian(func, wrt, jacobians=jacobians, **options)
    except SrcadError:
        return None       # no source to read (a derivative made by srcad itself): not a chain
    return chained if chained.is_chain else None


def chain_jacobian(func, wrt=0, strategy="auto", costs="measure", **options):
    """The Jacobian of ``func`` with respect to argument ``wrt``, bracketed as a chain when it is one.

    For ``func`` written as a composition of the user's own functions (see
    :mod:`srcad.analysis.chain`), the returned ``J(*args)`` computes each
    layer's Jacobian in its cheap mode and multiplies them in the cheapest
    order (mixed mode); ``J.plan`` is the plan of the last call and
    ``J.explain()`` its text.  ``strategy`` is one of :data:`STRATEGIES` (see
    :func:`plan_chain`; "auto" unless comparing orders) and ``costs`` the
    sweep costs the plan weighs: measured on the first call of each shape
    (``"measure"``), or given as ``(tangent_costs, adjoint_costs)``, one per
    layer, in multiplications.  For any other function it is the Jacobian of the
    whole function, by forward mode when it has no more inputs than outputs and
    by reverse mode otherwise.  The result is shaped ``out.shape + in.shape``.
    Callable from Python (not from ``@numba.njit`` code).

    >>> J = srcad.chain_jacobian(model)        # doctest: +SKIP
    >>> J(x, W1, W2).shape, J.plan.bracketing   # doctest: +SKIP
    ((8, 8), '[J4 J3] [J2 J1]')
    """
    if not isinstance(wrt, int):
        raise SrcadError("chain_jacobian differentiates with respect to one argument: wrt must be an int")
    return _JacobianOfChain(ChainJacobian(func, wrt, strategy, costs, **options), _WholeJacobian(func, wrt, options))


class _JacobianOfChain:
    """The callable :func:`chain_jacobian` returns: the chain's Jacobian, or the whole function's."""

    def __init__(self, chained, whole):
        self.chain = chained
        self.whole = whole
        self.__name__ = f"chain_jacobian_{chained.info.name}"
        self.__doc__ = chain_jacobian.__doc__

    def __call__(self, *args):
        if self.chain.is_chain:
            try:
                return self.chain(*args)
            except NotAChainCall:
                pass
        self.chain.plan = None
        return self.whole(*args)

    @property
    def plan(self):
        """The :class:`ChainPlan` of the last call (None when it was not a chain)."""
        return self.chain.plan

    def explain(self):
        """The last call's plan as text."""
        return self.chain.explain()


class _WholeJacobian:
    """The Jacobian of a whole function, one jvp per input or one vjp per output: in ``mode``, or
    by whichever are fewer."""

    def __init__(self, func, wrt, options, mode=None):
        self.func = func
        self.wrt = wrt
        self.mode = mode
        self.jvp, self.vjp = _sweeps(func, wrt, options)

    def __call__(self, *args):
        args = list(args)
        x = args[self.wrt]
        width_in, shape_in = _width_and_shape(float(x) if isinstance(x, int) else x)
        value = self.jvp(*args, _shaped(np.zeros(width_in), shape_in))[0]
        width_out, shape_out = _width_and_shape(value)
        if self.mode == "forward" or self.mode is None and width_in <= width_out:
            columns = [np.ravel(self.jvp(*args, _shaped(e, shape_in))[1]) for e in np.eye(width_in)]
            matrix = np.stack(columns, axis=1)
        else:
            matrix = np.stack([np.ravel(self.vjp(*args, _shaped(e, shape_out))[1]) for e in np.eye(width_out)])
        return matrix.reshape(tuple(shape_out) + tuple(shape_in))


def sweep_jacobian(func, wrt, mode, **options):
    """The Jacobian of ``func`` by one ``srcad.jvp`` per input (``mode="forward"``) or one
    ``srcad.vjp`` per output (``"reverse"``): a maker for ``ChainJacobian(jacobians=...)``."""
    return _WholeJacobian(func, wrt, options, mode)

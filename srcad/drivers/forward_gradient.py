"""Forward gradients: the unbiased gradient estimate ``(grad f . v) v`` from one tangent sweep.

For a direction ``v ~ N(0, I)`` over the differentiated arguments,
``E[(grad f . v) v] = E[v v^T] grad f = grad f``: one forward-mode sweep (the
directional derivative ``grad f . v``) gives an unbiased estimate of the whole
gradient, without a reverse sweep or a tape (Baydin et al., "Gradients without
backpropagation", 2022).  Averaging ``k`` directions divides its variance by
``k``; for one direction, ``Var[(g . v) v_i] = |g|^2 + g_i^2``.

This module writes the estimator that sits beside the tangent in the generated
module (for ``k`` directions, beside the vector-mode tangent that carries all
of them in one sweep), and draws the directions: from Python with a ``numpy.random.Generator``
(reproducible with a seed), from ``@numba.njit`` code with Numba's own
``np.random`` stream.
"""

import ast
import numbers

import numpy as np

from ..analysis import ArrayType
from ..backend.render import render_function
from ..errors import SrcadError


def directions_generator(seed):
    """The ``numpy.random.Generator`` that draws the directions of Python calls.

    ``seed`` is ``None`` (fresh entropy), an int (a generator of one's own, so two
    callables made with the same seed draw the same directions), or a
    ``numpy.random.Generator``, used as given and so shared with its other users.
    """
    if seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)):
        if seed is not None and seed < 0:
            raise SrcadError(f"forward_grad: seed must be a non-negative int, got {seed!r}")
        return np.random.default_rng(seed)
    if isinstance(seed, np.random.Generator):
        return seed
    raise SrcadError(f"forward_grad: seed must be None, an int or a numpy.random.Generator, "
                     f"got {type(seed).__name__}")


def direction_count(k):
    """``k`` checked: the number of directions averaged, a positive int."""
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise SrcadError(f"forward_grad: k (the number of directions averaged) must be a positive int, got {k!r}")
    return int(k)


def draw_directions(rng, k, params, wrt):
    """The directions for each ``wrt`` argument, in ``wrt`` order, standard normal float64 entries: for
    one direction, an array of the argument's shape (a float for a scalar); for ``k > 1``, an array of
    shape ``shape + (k,)`` (``(k,)`` for a scalar), direction ``j`` at ``[..., j]``."""
    return [rng.standard_normal(_direction_shape(k, params[i].shape if isinstance(params[i], np.ndarray) else ()))
            for i in wrt]


def _direction_shape(k, shape):
    return shape if k == 1 else shape + (k,)


def directions_source(k, params, types, wrt, numpy="np"):
    """The expressions that draw the same directions inside ``@njit`` code, from Numba's stream."""
    out = []
    for i in wrt:
        if isinstance(types[i], ArrayType):
            out.append(f"{numpy}.random.standard_normal({params[i]}.shape{'' if k == 1 else f' + ({k},)'})")
        else:
            out.append(f"{numpy}.random.standard_normal({'' if k == 1 else k})")
    return out


def estimator_function(name, tangent, params, types, wrt, single_wrt, decorator, block=False):
    """Source of ``name(*params, *directions)``: the forward gradient along the directions.

    ``tangent`` is the generated tangent function ``tangent(*params, *dots) -> (value, dot)``; with
    ``block`` it is its vector-mode form, every dot with a trailing axis of ``k`` directions, and the
    estimate is averaged over them.  The function is built as syntax and rendered like every
    generated function, its first statement carrying the comment that says what it estimates.
    """
    taken = set(params) | {name, tangent}

    def fresh(stem):
        while stem in taken:
            stem = "_" + stem
        taken.add(stem)
        return stem

    wrt_params = [params[i] for i in wrt]
    directions = [fresh(f"{p}_directions" if block else f"{p}_direction") for p in wrt_params]
    sweep = ast.Subscript(_call(tangent, [_name(p) for p in params + directions]), ast.Constant(1), ast.Load())
    if block:
        k, slopes = fresh("k"), fresh("slopes")
        products = []
        for i, d in zip(wrt, directions):
            if isinstance(types[i], ArrayType):
                size = _attribute(_name(params[i]), "size")
                columns = _call(_attribute(_name(d), "reshape"), [ast.Tuple([size, _name(k)], ast.Load())])
                product = ast.BinOp(columns, ast.MatMult(), _name(slopes))
                products.append(_call(_attribute(product, "reshape"), [_attribute(_name(params[i]), "shape")]))
            else:
                products.append(_call("np.dot", [_name(d), _name(slopes)]))
        comment = (f"(grad f . v) v averaged over k directions v = ({', '.join(f'{d}[..., j]' for d in directions)}),"
                   "\n    # all carried by one tangent sweep: an unbiased estimate of the gradient for v ~ N(0, I)")
        last_axis = ast.Subscript(_attribute(_name(directions[0]), "shape"), ast.Constant(-1), ast.Load())
        body = [_assign(k, last_axis), _assign(slopes, ast.BinOp(sweep, ast.Div(), _name(k)))]
    else:
        slope = fresh("slope")
        products = [ast.BinOp(_name(slope), ast.Mult(), _name(d)) for d in directions]
        comment = (f"(grad f . v) v for the direction v = ({', '.join(directions)}), one tangent sweep:"
                   "\n    # an unbiased estimate of the gradient for v ~ N(0, I)")
        body = [_assign(slope, sweep)]
    body[0].lineno = _COMMENTED
    estimates = [fresh(f"{p}_estimate") for p in wrt_params]
    for i, estimate, product in zip(wrt, estimates, products):
        if isinstance(types[i], ArrayType) and types[i].dtype != "float64":
            product = _call(_attribute(product, "astype"), [_name(f"np.{types[i].dtype}")])
        body.append(_assign(estimate, product))
    returned = _name(estimates[0]) if single_wrt else ast.Tuple([_name(e) for e in estimates], ast.Load())
    body.append(ast.Return(returned))
    arguments = ast.arguments(posonlyargs=[], args=[ast.arg(p) for p in params + directions], kwonlyargs=[],
                              kw_defaults=[], defaults=[])
    fn = ast.FunctionDef(name=name, args=arguments, body=body, decorator_list=[])
    return render_function(fn, lambda lineno: comment if lineno == _COMMENTED else None, decorator)


_COMMENTED = -1   # the statement of the estimator that carries its comment


def _name(id_):
    return ast.Name(id_, ast.Load())


def _attribute(value, attr):
    return ast.Attribute(value, attr, ast.Load())


def _call(func, args):
    return ast.Call(_name(func) if isinstance(func, str) else func, args, [])


def _assign(target, value):
    return ast.Assign([ast.Name(target, ast.Store())], value, lineno=None)

"""Tuples as wrt arguments: the derivative of the function with each such tuple taken as its elements.

``srcad.grad(f, wrt=0)((1.0, 2.0), 3.0)`` differentiates ``f(p, x)`` with respect to
the pair ``p`` and gives a pair back, as JAX does for a tuple.  A :class:`Packing`
does it for one structure of the call (which wrt arguments are tuples, and of how
many elements): it builds the same kind of derivative of ``f`` with each such tuple
parameter replaced by one parameter per element (``f(p_0, p_1, x)``, see
:func:`srcad.frontend.source.with_tuples_as_elements`) and with respect to those
elements, passes it the tuple's elements (and a jvp's tangent tuples' elements),
and packs the derivatives of the elements back into tuples.  Nothing is special to
tuples past this layer: the elements are ordinary float or array parameters.

One level of tuple, of floats, ints (taken as floats) and float arrays; a Hessian and
an hvp are refused (their results have the structure of one argument), and so is a
derivative of a derivative.
"""

from ..errors import ShapeError
from ..frontend.source import with_tuples_as_elements
from .arguments import _argument_error, _extra_names


def tuple_arities(t, is_tuple, length, args, elements=tuple):
    """``{wrt index: length}`` of the wrt arguments among ``args`` (values, or Numba types whose
    ``elements`` are their element types) that are tuples; empty when none is.  A tuple inside one
    of them is refused: one level is taken apart."""
    arities = {}
    for i in t.wrt:
        if i < len(args) and is_tuple(args[i]):
            if any(is_tuple(e) for e in elements(args[i])):
                name = t.info.params[i]
                raise _argument_error(t.info, name, f"{t.kind} with respect to argument {i} ('{name}'): it is a "
                                      "tuple with a tuple inside, which is not supported yet; pass the inner "
                                      "tuple as an argument of its own")
            arities[i] = length(args[i])
    return arities


class Packing:
    """The derivative ``t`` for calls whose wrt arguments ``arities`` (index -> length) are tuples.

    ``derivative`` is the public callable of the same kind over the function with those tuples
    taken as their elements; :meth:`call` (from Python) and :meth:`numba_impl` (from ``@njit``
    code) pass it the elements and re-pack what it gives back.
    """

    def __init__(self, t, arities, made):
        """``made(info, wrt)``: the public callable of ``t``'s kind and options over the parsed function
        ``info`` with respect to parameters ``wrt`` (the transformation's own door: this module imports
        neither it nor the entry, which import this one)."""
        for i, arity in arities.items():
            name = t.info.params[i]
            why = t.form.tuple_wrt or ("differentiating a derivative with respect to a tuple is not supported "
                                       "yet" if t.inner is not None else "")
            if why:
                raise _argument_error(t.info, name, f"{t.kind} with respect to argument {i} ('{name}'), a tuple: "
                                      f"{why}; pass its elements as separate arguments")
            if arity == 0:
                raise _argument_error(t.info, name, f"{t.kind} with respect to argument {i} ('{name}'): it is an "
                                      "empty tuple, which has nothing to differentiate")
        self.t = t
        self.arities = arities
        info = with_tuples_as_elements(t.info, arities)
        # the positions of each argument's parameters among the element parameters
        self.positions, k = [], 0
        for i in range(len(t.info.params)):
            count = arities.get(i, 1)
            self.positions.append(list(range(k, k + count)))
            k += count
        wrt = tuple(p for i in t.wrt for p in self.positions[i])
        self.derivative = made(info, wrt)
        inner = self.derivative.__srcad__
        inner.elements_primal = self._packing_primal(t.original if hasattr(t.original, "py_func") else t.primal)
        self.transformation = inner

    def _packing_primal(self, function):
        """``function`` as a function of the elements: what check=True differentiates by differences."""
        positions = self.positions

        def of_elements(*flat):
            return function(*(tuple(flat[k] for k in where) if i in self.arities else flat[where[0]]
                              for i, where in enumerate(positions)))

        return of_elements

    def _tuple_of(self, what, value, arity, is_tuple, length):
        if not is_tuple(value) or length(value) != arity:
            got = f"a tuple of {length(value)}" if is_tuple(value) else type(value).__name__
            raise ShapeError(f"{what} must be a tuple of {arity}, one for each element of the argument; got {got}")

    # from Python --------------------------------------------------------
    def call(self, args):
        """The derivative at Python arguments ``args`` (the function's, then the extra ones), re-packed."""
        t = self.t
        n = len(t.info.params)
        if len(args) != n + t.extra_count():
            names = t.info.params + _extra_names(t, n)
            raise TypeError(f"{t.kind} of {t.label} takes {len(names)} arguments ({', '.join(names)}), "
                            f"got {len(args)}")
        flat = []
        for i, value in enumerate(args[:n]):
            flat.extend(value if i in self.arities else (value,))
        extra = list(args[n:])
        if t.form.tangents_per_wrt:
            extra = []
            for i, tangent in zip(t.wrt, args[n:]):
                if i in self.arities:
                    self._tuple_of(f"{t.kind} of {t.label}: the tangent of argument {i} ('{t.info.params[i]}')",
                                   tangent, self.arities[i], lambda v: isinstance(v, tuple), len)
                    extra.extend(tangent)
                else:
                    extra.append(tangent)
        result = self.derivative(*flat, *extra)
        t.built.last = self.transformation.built.last   # what srcad.source(derivative) shows
        return self._present(result)

    def _repacked(self, flat):
        out, k = [], 0
        for i in self.t.wrt:
            arity = self.arities.get(i)
            out.append(flat[k] if arity is None else tuple(flat[k:k + arity]))
            k += 1 if arity is None else arity
        return out[0] if self.t.single_wrt else tuple(out)

    def _present(self, result):
        part = self.t.form.wrt_part(self.t)
        if part is None:
            return result
        if part == ():
            return self._repacked(result)
        (k,) = part
        return tuple(self._repacked(r) if j == k else r for j, r in enumerate(result))

    # from @njit code ----------------------------------------------------
    def numba_impl(self, nbtypes):
        """What an ``@njit`` caller compiles: the element derivative called on the tuples' elements."""
        from numba.core import types

        t = self.t
        params = t.info.params
        n = len(params)
        extra = _extra_names(t, n)
        passed = []
        for i, p in enumerate(params):
            passed += [f"{p}[{k}]" for k in range(self.arities[i])] if i in self.arities else [p]
        if t.form.tangents_per_wrt:
            for i, name, nbtype in zip(t.wrt, extra, nbtypes[n:]):
                if i in self.arities:
                    self._tuple_of(f"{t.kind} of {t.label}: the tangent of argument {i} ('{params[i]}')", nbtype,
                                   self.arities[i], lambda v: isinstance(v, types.BaseTuple), len)
                    passed += [f"{name}[{k}]" for k in range(self.arities[i])]
                else:
                    passed.append(name)
        else:
            passed += extra
        lines = [f"__srcad_r = __srcad_f({', '.join(passed)})", f"return {self._present_source('__srcad_r')}"]
        namespace = {"__srcad_f": self.derivative}
        body = "".join(f"    {line}\n" for line in lines)
        exec(f"def impl({', '.join(params + extra)}):\n{body}", namespace)
        return namespace["impl"]

    def _repacked_source(self, flat):
        out, k = [], 0
        for i in self.t.wrt:
            arity = self.arities.get(i)
            if arity is None:
                out.append(f"{flat}[{k}]")
            else:
                out.append("(" + "".join(f"{flat}[{k + j}], " for j in range(arity)) + ")")
            k += 1 if arity is None else arity
        return out[0] if self.t.single_wrt else "(" + "".join(f"{o}, " for o in out) + ")"

    def _present_source(self, result):
        part = self.t.form.wrt_part(self.t)
        if part is None:
            return result
        if part == ():
            return self._repacked_source(result)
        (k,) = part
        # a result with a part re-packed is a pair: (value, derivative) or (derivative, aux)
        return "(" + "".join((self._repacked_source(f"{result}[{j}]") if j == k else f"{result}[{j}]") + ", "
                             for j in range(2)) + ")"


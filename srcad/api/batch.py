"""``srcad.batch``: one derivative run over the leading axis of its batched arguments.

:class:`Batch` checks the arguments, runs the first item from Python to learn
the structure of the result (which numbers and arrays it holds), writes a
module with an item function (:func:`srcad.api.entry.item_source`) and the
target's driver (:meth:`srcad.backend.target.Target.batch_driver`), and runs
it (:meth:`~srcad.backend.target.Target.run_batch`).
"""

import ast
import dataclasses
import os

import numpy as np

from .._version import __version__
from ..backend import load_module, render_module
from ..backend.batching import Leaf
from ..backend.targets import TARGETS
from ..errors import ShapeError, SrcadError
from ..transform.tape import has_tape_operations
from .arguments import _extra_names, _python_type_key
from .entry import item_source
from .sizes import workspace_entries

_REVERSE = {"grad", "value_and_grad", "vjp"}   # kinds whose derivative part is the adjoint of the wrt arguments


@dataclasses.dataclass
class _Built:
    driver: object
    source: str
    state: dict


class Batch:
    """A derivative made by srcad, run over the leading axis of its batched arguments (see :func:`batch`)."""

    def __init__(self, derivative, shared=(), target=None, cache=True):
        t = getattr(derivative, "__srcad__", None)
        if t is None:
            raise SrcadError("batch takes a derivative made by srcad (grad, value_and_grad, vjp, jvp, hessian, ...)")
        if t.kind == "forward_grad":
            raise SrcadError("batch of a forward_grad: its random directions would differ between targets; batch "
                             "srcad.jvp of the function with directions you draw instead")
        self.derivative = derivative
        self.transformation = t
        self.params = t.info.params + _extra_names(t, len(t.info.params))
        self.shared = self._positions(shared)
        name = target if target is not None else t.options["target"]
        self.target = TARGETS.get(name)
        if self.target is None:
            raise SrcadError(f"target={name!r}: use 'cpu', 'parallel' or 'cuda'")
        shared_wrt = [i for i in t.wrt if i in self.shared]
        if shared_wrt and t.kind not in _REVERSE | {"jvp"}:
            raise SrcadError(f"batch of a {t.kind} with respect to shared argument(s) "
                             f"{', '.join(repr(self.params[i]) for i in shared_wrt)}: a batch sums the adjoints "
                             "(grad, value_and_grad, vjp) of shared arguments; batch that argument instead")
        self.summed = self._summed_paths(t, shared_wrt)
        self.cache = cache
        # the derivative the items run (made again for another target), and the one that runs the first item
        # from Python to learn the result's structure (a CPU one: a device function is not called from Python)
        self.runner = t if t.target.name == self.target.name else _twin(t, self.target.name)
        self.probe = self.runner if not self.runner.target.device_only else (
            t if not t.target.device_only else _twin(t, "cpu"))
        self.built = {}
        self.label = f"batch of {t.kind} of {t.label} on target {self.target.name!r}"

    def _positions(self, shared):
        if isinstance(shared, (int, str)):
            shared = (shared,)
        positions = set()
        for s in shared:
            if isinstance(s, str):
                if s not in self.params:
                    raise SrcadError(f"shared={s!r}: the derivative's arguments are {', '.join(self.params)}")
                positions.add(self.params.index(s))
            elif isinstance(s, (int, np.integer)) and -len(self.params) <= s < len(self.params):
                positions.add(int(s) % len(self.params))
            else:
                raise SrcadError(f"shared={s!r}: give argument positions or names ({', '.join(self.params)})")
        if len(positions) == len(self.params):
            raise SrcadError("batch: every argument is shared; batch at least one (its leading axis runs over the "
                             "items)")
        return positions

    @staticmethod
    def _summed_paths(t, shared_wrt):
        """Where in the presented result the adjoints of shared arguments are (paths into nested tuples)."""
        if t.kind not in _REVERSE:
            return []
        prefix = (0,) if t.kind == "grad" and t.has_aux else () if t.kind == "grad" else (1,)
        return [prefix if t.single_wrt else prefix + (t.wrt.index(i),) for i in shared_wrt]

    def __call__(self, *args):
        built, leaves, n, result = self._prepare(args)
        values = self.target.run_batch(built.driver, args, leaves, n, built.state)
        values = [v.item() if leaf.summed and not leaf.shape else v for leaf, v in zip(leaves, values)]
        return _assemble(result, (), dict(zip((leaf.path for leaf in leaves), values)))

    def _prepare(self, args):
        """(the built driver for these arguments, the leaves of the result, the number of items, the result of
        the first item)."""
        if len(args) != len(self.params):
            raise TypeError(f"{self.label} takes {len(self.params)} arguments ({', '.join(self.params)}), "
                            f"got {len(args)}")
        n = None
        for k, a in enumerate(args):
            if k in self.shared:
                continue
            if not _is_array(a) or len(a.shape) == 0:
                raise SrcadError(f"{self.label}: argument {k} ('{self.params[k]}') is batched, so it must be an "
                                 f"array whose leading axis runs over the items; got {type(a).__name__}; name it in "
                                 "shared= if every item takes the same value")
            if n is None:
                n, first = a.shape[0], k
            elif a.shape[0] != n:
                raise ShapeError(f"{self.label}: batched argument {k} ('{self.params[k]}') has {a.shape[0]} items "
                                 f"and argument {first} ('{self.params[first]}') {n}")
        if n == 0:
            raise SrcadError(f"{self.label}: the batch has no items")
        first_item = [a if k in self.shared else _first(a) for k, a in enumerate(args)]
        first_item = [_on_host(a) for a in first_item]
        result = self.probe(*first_item)
        leaves = _leaves(result, (), self.summed)
        key = (tuple(_python_type_key(a) for a in first_item), tuple(leaves))
        built = self.built.get(key)
        if built is None:
            built = self.built[key] = self._build(first_item, leaves)
        return built, leaves, n, result

    def source(self):
        """The generated module of the most recent build, as text."""
        if not self.built:
            raise SrcadError("call the batch first: its module is written for the types of its arguments")
        return list(self.built.values())[-1].source

    def _build(self, first_item, leaves):
        t, target = self.runner, self.target
        spec, _, _ = t._resolve(first_item)
        base = f"{t.kind}_{t.info.name}"
        item, callees, carves = item_source(t, spec, f"{base}_item", target.decorator(self.cache),
                                            target.batch_callee)
        batched = [k for k in range(len(self.params)) if k not in self.shared]
        driver = target.batch_driver(f"{base}_batch", f"{base}_item", self.params, batched, leaves, spec.taped,
                                     self.cache, carves)
        imports = target.batch_imports() + [f"from {spec.module.__name__} import {', '.join(callees)}"]
        if "__srcad_shape_error" in item:
            imports.append("from srcad.errors import ShapeError as __srcad_shape_error")
        info = t.info
        header = [
            f"Generated by srcad {__version__}: batch of the {t.kind} of {info.name}() "
            f"({os.path.basename(info.filename)}, line {info.firstlineno}) on target {target.name!r}.",
            f"Batched (leading axis): {', '.join(self.params[k] for k in batched)}.  "
            f"Shared: {', '.join(self.params[k] for k in sorted(self.shared)) or 'none'}.",
            "Regenerated whenever the function or srcad changes; edits are not kept.",
        ]
        text = render_module(header, imports, [item, driver])
        module = load_module(text)
        state = {"taped": spec.taped, "label": f"batch of the {t.kind} of {t.label}",
                 "loops": _taped_loops(spec), "memory": t.tape_budget if t.options["memory"] is not None else None,
                 "workspace": workspace_entries(t, first_item) if carves else 0}
        return _Built(getattr(module, f"{base}_batch"), text, state)


def batch(derivative, *, shared=(), target=None, cache=True):
    """Run ``derivative`` (made by srcad) once per item of its batched arguments: ``b(*args)``.

    ``b = srcad.batch(g, shared=(...), target=...)`` takes the arguments of
    ``g`` (the function's, then a kind's extra ones: a ``vjp``'s cotangent,
    a ``jvp``'s tangents).  Every argument not named in ``shared`` (by
    position or name) is *batched*: an array whose leading axis runs over
    the items, item ``i`` being ``a[i]`` (a number for a 1-D array, a row for
    a 2-D one).  Shared arguments are passed whole to every item.  The
    result has the structure of ``g``'s, each number or array stacked along
    a new leading axis of items, except the adjoint of a shared argument
    (``grad``, ``value_and_grad`` and ``vjp`` with respect to it), which is
    summed over the items: the gradient of the items' total.

    ``target``: ``"cpu"`` (one core), ``"parallel"`` (all cores, with
    ``prange``: items are cut into at most 64 chunks, a number fixed by the
    number of items; each chunk runs its items in order with tapes of its
    own, and the chunks' sums are added in order, so the result equals the
    ``"cpu"`` batch's bit for bit) or ``"cuda"`` (a kernel, one thread an
    item, each with its column of a tape slab ``[capacity, threads]``;
    shared adjoints are added with atomics, in no fixed order).  By default,
    the derivative's own target; a derivative of another target is made
    again for this one.  The first item is also run once from Python, to
    learn the result's structure (on a CPU twin for ``"cuda"``).

    >>> import numpy as np, srcad
    >>> def f(x, a):
    ...     return a * x * x
    >>> b = srcad.batch(srcad.grad(f, wrt=(0, 1)), shared="a", target="parallel")
    >>> dx, da = b(np.array([1.0, 2.0, 3.0]), 0.5)
    >>> dx, da
    (array([1., 2., 3.]), 14.0)
    """
    return Batch(derivative, shared, target, cache)


def _is_array(value):
    """A NumPy array, or a CUDA device array (which a CUDA batch takes where it is)."""
    return isinstance(value, np.ndarray) or hasattr(value, "copy_to_host") and hasattr(value, "shape")


def _first(array):
    """Item 0 of a batched array, on the host."""
    if isinstance(array, np.ndarray):
        return array[0]
    first = array[:1].copy_to_host()[0]
    return first.item() if isinstance(first, np.generic) else first


def _on_host(value):
    """A shared argument as the first item's Python run takes it: device arrays copied to the host."""
    return value if isinstance(value, np.ndarray) or not _is_array(value) else value.copy_to_host()


def _twin(t, target):
    """``t`` made again for ``target``: the same function, kind, wrt and options."""
    from .transformation import Transformation

    if t.form.options:
        raise SrcadError(f"batch of a {t.kind} on target {target!r}: make it with target={target!r} instead")
    options = {key: t.options[key] for key in ("checkpoint", "memory", "cache")}
    return Transformation(t.original, t.kind, t.wrt[0] if t.single_wrt else t.wrt, t.has_aux, target=target,
                          **options)


def _leaves(value, path, summed):
    """The :class:`Leaf` of each number and array in ``value`` (an item's result), in order."""
    if isinstance(value, tuple):
        return [leaf for k, v in enumerate(value) for leaf in _leaves(v, path + (k,), summed)]
    is_summed = any(path[:len(p)] == p for p in summed)
    if isinstance(value, np.ndarray):
        return [Leaf(path, value.dtype.name, value.shape, is_summed)]
    if isinstance(value, (bool, np.bool_)):
        return [Leaf(path, "bool", (), is_summed)]
    if isinstance(value, (int, np.integer)):
        return [Leaf(path, "int64", (), is_summed)]
    return [Leaf(path, np.asarray(value).dtype.name, (), is_summed)]


def _assemble(value, path, values):
    """The batch's result: ``value``'s structure with each leaf's batched or summed value in its place."""
    if isinstance(value, tuple):
        return tuple(_assemble(v, path + (k,), values) for k, v in enumerate(value))
    return values[path]


def _taped_loops(spec):
    """How an error names the loops whose iterations the tapes record: "the loops at lines ... of f()"."""
    core, source_map = spec.core, spec.program.source_map
    lines = []
    if core is not None:
        for node in ast.walk(core):
            if isinstance(node, (ast.For, ast.While)) and has_tape_operations(node):
                line = source_map.where(node)["lineno"]
                if line not in lines:
                    lines.append(line)
    name = spec.program.info.name
    if not lines:
        return f"the values {name}() records"
    return f"the loop{'s' if len(lines) > 1 else ''} at line{'s' if len(lines) > 1 else ''} " \
           f"{', '.join(map(str, sorted(lines)))} of {name}()"

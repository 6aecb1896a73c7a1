"""Targets: what a kind of machine decides about generated code.

A :class:`Target` owns everything in a generated module that depends on where
it runs rather than on what it computes:

- the decorator line of every generated function and the module's imports,
  with the runtime helpers it uses;
- the tape protocol: how large tapes start (:attr:`Target.float_tape_start`,
  :attr:`Target.int_tape_start`), the one generated helper that runs a taped
  sweep again with larger tapes until they are large enough
  (:meth:`Target.grown_function`), and the one Python path that does the same
  with tapes kept between calls (:meth:`Target.run_taped`);
- the allocation of memory by generated code: every array a transform makes
  is asked for through the marker of :mod:`.allocation`, which the target
  lowers (:meth:`Target.lower_allocations`; ``np.empty`` and friends on the
  CPU) or refuses (:meth:`Target.legalize`: a CUDA device function
  cannot allocate);
- the batch driver of :func:`srcad.batch` (:meth:`Target.batch_driver`) and
  how it is run (:meth:`Target.run_batch`).

``CPU`` is the target of ``target="cpu"``, ``PARALLEL`` of ``"parallel"`` (the
same derivative code, with batch drivers that run items on all cores), and
``CUDA`` (:mod:`.gpu`) of ``"cuda"``: device functions, per-thread tapes and
batch kernels.  :data:`srcad.backend.targets.TARGETS` names them.

>>> from srcad.backend.target import CPU
>>> CPU.decorator(cache=False)
'@njit(cache=False, error_model="numpy")'
"""

import ast
import copy
import numbers
import threading

import numpy as np

from ..errors import SrcadError
from ..frontend.names import NameSource, user_names
from . import allocation, batching, parallel_loops, schedules, tapes
from .reports import read_report
from .schedules import HEADER

_TAPE_PARAMS = ("_ftape", "_itape")


class Target:
    """The decisions about generated code that depend on the machine it runs on."""

    name = ""
    float_tape_start = 1024     # entries of a float tape before any run has told how many it needs
    int_tape_start = 256
    imports = ()
    device_only = False         # are its functions run on a device, never called from Python?
    tape_bytes_limit = None     # the most bytes of tapes a derivative may have, where they cannot grow
    batch_callee = "grown"      # what the item of a batch calls when the derivative records on tapes

    def decorator(self, cache):
        raise NotImplementedError

    def with_tapes(self, option):
        """This target with the tapes of option ``tape=``: a number of float entries (the int tape then a
        quarter of it, at least 64) or a pair (floats, ints), where tapes start (where they stay, on a
        target whose tapes cannot grow).  Refused with the reason if ``option`` is not one."""
        def entries(value):
            return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 0

        if entries(option) and option > 0:
            floats, ints = int(option), max(64, int(option) // 4)
        elif isinstance(option, tuple) and len(option) == 2 and all(entries(v) for v in option):
            # a tape of no entry still has one: an array of none is not a local array on CUDA
            floats, ints = max(1, int(option[0])), max(1, int(option[1]))
        else:
            raise SrcadError(f"tape={option!r}: give the float tape's entries (an int > 0) or a pair "
                             "(floats, ints) of ints >= 0, such as srcad.tape_size gives")
        if self.tape_bytes_limit is not None and 8 * (floats + ints) > self.tape_bytes_limit:
            raise SrcadError(f"tape={option!r}: {8 * (floats + ints)} bytes of tapes a thread, more than the "
                             f"{self.tape_bytes_limit // 1024} KiB of local memory a thread has here; run the "
                             "items with srcad.batch, whose tapes live in global memory")
        target = copy.copy(self)
        target.float_tape_start, target.int_tape_start = floats, ints
        return target

    def legalize_driver(self, text, kind, functions):
        """Check the text of a driver (a Hessian's, a Jacobian's) that a kind writes beside the derivative's
        generated ``functions``."""

    def function_decorator(self, fn, decorator):
        """The decorator line of generated function ``fn``, given the module's ``decorator``."""
        return decorator

    def legalize(self, functions, source_map):
        """Check generated ``functions`` (in place) for this target: refuse, at build time, what it cannot run
        (an :class:`srcad.UnsupportedError` located by ``source_map``), rewrite what it spells differently."""

    def cacheable(self, functions):
        """Can Numba cache ``functions`` on disk?  Not when they call SciPy through a function address,
        which changes from one process to the next."""
        return not any(isinstance(node, ast.Name) and node.id.startswith("scipy_special.")
                       for fn in functions for node in ast.walk(fn))

    def module_imports(self, functions):
        """The generated module's imports: the runtime names its functions use."""
        used = {node.id for fn in functions for node in ast.walk(fn) if isinstance(node, ast.Name)}
        runtime = sorted({"digamma", "range_len"} | ({"ShapeError", "trigamma", "tetragamma", "gammainc_da", "stdtr_ddf", "kv_dv"}
                                                     & used))
        lines = list(self.imports) + [f"from srcad.backend.runtime import {', '.join(runtime)}"]
        if any(name.startswith("scipy_special.") for name in used):
            lines.append("from srcad.backend import special as scipy_special")
        controller = sorted(set(schedules.RUNTIME) & used)
        if controller:
            lines.append(f"from srcad.backend.schedules import {', '.join(controller)}")
        return lines

    # tapes ---------------------------------------------------------------
    def new_tapes(self):
        """A float and an int tape of the starting sizes."""
        return np.empty(self.float_tape_start), np.empty(self.int_tape_start, np.int64)

    def start_tapes(self):
        """Sources of the same two tapes in generated code: (float tape, int tape)."""
        return f"np.empty({self.float_tape_start}, np.float64)", f"np.empty({self.int_tape_start}, np.int64)"

    def start_tapes_source(self):
        """Source of the same two tapes, as arguments of a call in generated code."""
        return ", ".join(self.start_tapes())

    def grown_function(self, callee, params, fname):
        """``fname(params, _ftape, _itape) -> (value, derivative, _ftape, _itape)``: taped function
        ``callee`` run, and run again with larger tapes while a run reports that they were too small.

        This is the only place generated code grows tapes: every caller of a taped sweep (the
        entry of ``@njit`` callers, Hessian and Jacobian drivers) calls such a function and keeps
        the tapes it returns for its next sweep.
        """
        call = ", ".join(list(params) + list(_TAPE_PARAMS))
        text = (
            f"def {fname}({call}):\n"
            "    while True:\n"
            f"        _first, _second, _fneeded, _ineeded = {callee}({call})\n"
            "        if _fneeded <= _ftape.shape[0] and _ineeded <= _itape.shape[0]:\n"
            "            return (_first, _second, _ftape, _itape)\n"
            "        _ftape = np.empty(max(_fneeded, 2 * _ftape.shape[0]), np.float64)\n"
            "        _itape = np.empty(max(_ineeded, 2 * _itape.shape[0]), np.int64)\n"
        )
        return _bookkeeping(text)

    def entry_function(self, grown, params, fname):
        """``fname(params) -> (value, derivative)``: the sweep of ``grown`` (a :meth:`grown_function`)
        run with tapes of its own, for callers that do not keep tapes (``@njit`` code)."""
        text = (
            f"def {fname}({', '.join(params)}):\n"
            f"    _value, _derivative, _ftape, _itape = {grown}({', '.join(list(params) + [''])}"
            f"{self.start_tapes_source()})\n"
            "    return (_value, _derivative)\n"
        )
        return _bookkeeping(text)

    def run_taped(self, function, args, pool, budget=None, checkpointed=()):
        """``function(*args, ftape, itape)`` run from Python with tapes from ``pool`` (a
        :class:`TapePool`), grown while a run reports they were too small: (value, derivative, report),
        the report a call that makes a :class:`srcad.backend.reports.TapeReport`.  ``checkpointed``: the lines of the
        function's checkpointed loops.  None when the tapes would need more than ``budget`` bytes."""
        ftape, itape = pool.take(self)
        while True:
            value, derivative, fneeded, ineeded = function(*args, ftape, itape)
            if fneeded <= ftape.shape[0] and ineeded <= itape.shape[0]:
                break
            if budget is not None and 8 * (max(fneeded, ftape.shape[0]) + max(ineeded, itape.shape[0])) > budget:
                pool.give(ftape, itape)
                return None
            if fneeded > ftape.shape[0]:
                ftape = np.empty(max(fneeded, 2 * ftape.shape[0]))
            if ineeded > itape.shape[0]:
                itape = np.empty(max(ineeded, 2 * itape.shape[0]), np.int64)
        # what the report needs, read from the tapes before they go back (built only when asked for)
        header = itape[:len(checkpointed) * HEADER].copy() if checkpointed else None
        report = (read_report, checkpointed, header, ftape.shape[0], itape.shape[0])
        pool.give(ftape, itape)
        return value, derivative, report

    def lower_tapes(self, fn, zero_of, always=False):
        """Lower the tape markers of ``fn`` (in place); True if it takes tapes.  See :mod:`.tapes`."""
        raise NotImplementedError

    # memory --------------------------------------------------------------
    def lower_allocations(self, fn, type_of=None):
        """Replace the allocation markers of generated function ``fn`` (in place) by this target's code;
        ``type_of(name)`` gives the type of a variable of ``fn``."""
        raise NotImplementedError

    # batches -------------------------------------------------------------
    batch_loop = "range"

    def batch_imports(self):
        """The imports of a batch module beyond those of the derivative it runs."""
        return list(self.imports) + ["from srcad.backend.runtime import new_tapes"]

    def batch_decorator(self, cache):
        return self.decorator(cache)

    def batch_driver(self, name, item, params, batched, leaves, taped, cache, carves=False):
        """Text of the function that runs ``item`` over the items (see :mod:`.batching`); ``carves``: the
        item takes a workspace (the CUDA target's arrays)."""
        return batching.cpu_driver(name, item, params, batched, leaves, taped, self.batch_decorator(cache),
                                   self.batch_loop, (self.float_tape_start, self.int_tape_start))

    def run_batch(self, driver, args, leaves, n, state):
        """Run ``driver`` on the batch's ``args`` (``n`` items); the value of each leaf.  ``state`` is a dict
        the batch keeps between calls (what the last run learned, such as tape sizes)."""
        return batching.run_cpu_driver(driver, args, leaves, n)


class CpuTarget(Target):
    """``target="cpu"``: ``@njit`` functions, tapes and arrays allocated with NumPy."""

    name = "cpu"
    imports = ("import math", "import numpy as np", "from numba import njit")

    def decorator(self, cache):
        return f"@njit(cache={bool(cache)}, error_model=\"numpy\")"

    def lower_allocations(self, fn, type_of=None):
        allocation.lower(fn, allocation.numpy_call)
        return fn

    def lower_tapes(self, fn, zero_of, always=False):
        return tapes.lower_function(fn, zero_of, always)


class ParallelTarget(CpuTarget):
    """``target="parallel"``: the CPU's derivative code, whose batches run their items on all cores.

    One derivative is one serial computation (``prange`` in the function runs as ``range``); a batch
    driver (:func:`srcad.batch`) runs chunks of items with ``prange``, each chunk with tapes of its
    own, and adds the chunks' sums in a fixed order, so that it gives the serial batch's numbers.
    """

    name = "parallel"
    batch_loop = "prange"

    def legalize(self, functions, source_map):
        taken = NameSource(set().union(*(user_names(fn) for fn in functions)))
        for fn in functions:
            parallel_loops.parallelize(fn, source_map.parallel_lines, taken)

    def legalize_driver(self, text, kind, functions):
        """Check the text of a driver (a Hessian's, a Jacobian's) that a kind writes beside the derivative's
        generated ``functions``."""

    def function_decorator(self, fn, decorator):
        if not parallel_loops.uses_prange(fn):
            return decorator
        # only the loops written as prange run in parallel: Numba's other rewrites would sum arrays
        # in another order than the serial derivative does
        return decorator[:-1] + ", parallel=prange_only())"

    def module_imports(self, functions):
        lines = super().module_imports(functions)
        if any(parallel_loops.uses_prange(fn) for fn in functions):
            lines = ["from numba import njit, prange" if line == "from numba import njit" else line for line in lines]
            lines.append("from srcad.backend.runtime import prange_only")
        return lines

    def batch_imports(self):
        return list(self.imports[:-1]) + ["from numba import njit, prange", "from srcad.backend.runtime import new_tapes"]

    def batch_decorator(self, cache):
        return f"@njit(cache={bool(cache)}, error_model=\"numpy\", parallel=True)"


class TapePool:
    """Tapes kept between the Python calls of one derivative, sized by the largest run so far.

    Calls from several threads each take their own pair (or new ones), so that two runs never
    share a tape.
    """

    def __init__(self):
        self._free = []
        self._lock = threading.Lock()

    def take(self, target):
        with self._lock:
            if self._free:
                return self._free.pop()
        return target.new_tapes()

    def give(self, ftape, itape):
        with self._lock:
            self._free.append((ftape, itape))


def _bookkeeping(text):
    """A generated function of the tape protocol: no line of the user's source stands beside it."""
    fn = ast.parse(text).body[0]
    for node in ast.walk(fn):
        if hasattr(node, "lineno"):
            node.lineno = None
    return fn


CPU = CpuTarget()
PARALLEL = ParallelTarget()

"""The CUDA target: derivatives as ``numba.cuda`` device functions, per-thread tapes, batch kernels.

Generated functions are ``@cuda.jit(device=True)`` functions with the CPU's
argument conventions, callable from the user's own ``@cuda.jit`` kernels.
The tape code is the CPU's (:mod:`.tapes`: a push skips when the tape is
full and counts, the forward sweep ends by returning the sizes it needed);
what differs is where the tapes come from:

- a derivative called from a kernel gets two ``cuda.local.array`` tapes of a
  fixed size (:attr:`CudaTarget.float_tape_start`,
  :attr:`CudaTarget.int_tape_start`) in its entry; a device function cannot
  allocate larger ones, so when its forward sweep needed more, every float of
  its result is NaN (see :func:`srcad.backend.device.nan_like`): loud, never
  a silent overrun and never a zero that passes for a derivative;
- a batch kernel (:func:`srcad.batch`) gives each thread one column of two
  slabs ``[capacity, threads]`` and has each thread write the sizes it
  needed; the host runs the kernel again with slabs that large
  (:meth:`CudaTarget.run_batch`) and keeps the size for the next call.

A device function may not allocate: the float64 arrays generated code makes
(the adjoint of an array argument, a temporary, a copy) are carved from a
workspace the caller gives (:mod:`.workspace`), and what cannot be carved (an
int array, a snapshot of a checkpointed loop, a Jacobian driver's matrix) is
refused when the derivative is built (:meth:`CudaTarget.legalize`), naming
the line and the construct.  NumPy's
scalar functions that Numba's CUDA target does not lower (``np.floor``,
``np.sign``, ...) are called as the helpers of :mod:`.device` instead.

Importing this module imports no CUDA: generated modules import
``numba.cuda`` themselves.
"""

import ast

import numpy as np

from ..errors import SrcadError, UnsupportedError
from . import allocation, batching, device, tapes, workspace
from .target import Target, _bookkeeping

THREADS = 128   # threads per block of a batch kernel


class CudaTarget(Target):
    """``target="cuda"``: ``numba.cuda`` device functions with per-thread tapes."""

    name = "cuda"
    imports = ("import math", "import numpy as np", "from numba import cuda")
    device_only = True
    tape_bytes_limit = 512 * 1024   # CUDA's local memory a thread
    batch_callee = "main"   # a batch thread runs the taped sweep once, on its column of the slabs

    def decorator(self, cache):
        # Numba caches kernels, not device functions: a device function is compiled into its caller
        return "@cuda.jit(device=True)"

    def module_imports(self, functions):
        lines = super().module_imports(functions)
        used = {node.id for fn in functions for node in ast.walk(fn) if isinstance(node, ast.Name)}
        if "nan_like" in used:
            lines.append("from srcad.backend.device import nan_like")
        if "_device" in used or any(name.startswith("_device.") for name in used):
            lines.append("from srcad.backend import device as _device")
        return lines

    # tapes ---------------------------------------------------------------
    def start_tapes(self):
        return (f"cuda.local.array({self.float_tape_start}, np.float64)",
                f"cuda.local.array({self.int_tape_start}, np.int64)")

    def grown_function(self, callee, params, fname):
        """``fname(params, _ftape, _itape) -> (value, derivative, _ftape, _itape)``: ``callee`` run once on
        the tapes it is given; NaN in every float of the result when they were too small."""
        call = ", ".join(list(params) + ["_ftape", "_itape"])
        text = (
            f"def {fname}({call}):\n"
            f"    _first, _second, _fneeded, _ineeded = {callee}({call})\n"
            "    if _fneeded > _ftape.shape[0] or _ineeded > _itape.shape[0]:\n"
            "        return (nan_like(_first), nan_like(_second), _ftape, _itape)\n"
            "    return (_first, _second, _ftape, _itape)\n"
        )
        return _bookkeeping(text)

    def run_taped(self, function, args, pool, budget=None, checkpointed=()):
        raise SrcadError("a derivative with target='cuda' is a CUDA device function: call it from a @cuda.jit "
                         "kernel, or run it over many items with srcad.batch")

    def lower_tapes(self, fn, zero_of, always=False):
        return tapes.lower_function(fn, zero_of, always)

    # memory --------------------------------------------------------------
    def lower_allocations(self, fn, type_of=None):
        # arrays from the caller's workspace; what cannot be carved is refused by legalize
        workspace.lower(fn, type_of or (lambda name: None))
        return fn

    def legalize(self, functions, source_map):
        workspace.hand_on(functions)
        for fn in functions:
            _respell(fn)
        for fn in functions:
            found = _first_allocation(fn.body)
            if found is not None:
                stmt, call = found
                raise UnsupportedError(
                    f"target='cuda': the derivative makes an array here ({ast.unparse(stmt).strip()}) that its "
                    "workspace cannot hold: a CUDA device function cannot allocate, and carves the float64 arrays "
                    "it makes from the workspace its caller gives, one statement an array (not int or float32 "
                    "arrays, nor an array made inside an expression); use target='cpu' or 'parallel' for this "
                    "function", construct=ast.unparse(call), **source_map.where(stmt))

    def legalize_driver(self, text, kind, functions):
        tree = ast.parse(text)
        found = _first_allocation(tree.body)
        if found is not None:
            raise UnsupportedError(f"{kind} with target='cuda': its driver makes an array "
                                   f"({ast.unparse(found[1])}), which a device function cannot allocate; use "
                                   "target='cpu' or 'parallel'", construct=ast.unparse(found[1]))
        carving = {fn.name for fn in functions if workspace.takes_workspace(fn)}
        called = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call)
                  and isinstance(node.func, ast.Name)}
        if carving & called:
            raise UnsupportedError(f"{kind} with target='cuda' of a function that makes arrays: its driver "
                                   "does not hand a workspace on to the sweeps it calls; call hvp (or jvp of "
                                   "grad) with a workspace instead", construct=kind)

    # batches -------------------------------------------------------------
    def batch_imports(self):
        return list(self.imports)

    def batch_driver(self, name, item, params, batched, leaves, taped, cache, carves=False):
        return batching.cuda_kernel(name, item, params, batched, leaves, taped, carves)

    def run_batch(self, driver, args, leaves, n, state):
        from numba import cuda

        # arrays already on the device stay there, and so do the results of a batch given any
        resident = any(hasattr(a, "copy_to_host") for a in args)
        passed = [cuda.to_device(np.ascontiguousarray(a)) if isinstance(a, np.ndarray) else a for a in args]
        blocks = (n + THREADS - 1) // THREADS
        carves = state.get("workspace", 0) > 0
        while True:
            outputs = [cuda.to_device(np.zeros((1,) + leaf.shape, leaf.dtype)) if leaf.summed
                       else cuda.device_array((n,) + leaf.shape, leaf.dtype) for leaf in leaves]
            if not state["taped"] and not carves:
                driver[blocks, THREADS](*passed, *outputs)
                break
            # the first run of a taped batch, with empty slabs, is a sizing run: each thread's forward sweep
            # stops at its first push and says how much it needs; the workspace starts at the size the
            # first item needed
            fcap, icap = state.get("capacity", (1, 1))
            wcap = state.get("workspace_capacity", state.get("workspace", 0))
            slabs = [cuda.device_array((n, wcap), np.float64)] if carves else []
            if state["taped"]:
                slabs += [cuda.device_array((fcap, n), np.float64), cuda.device_array((icap, n), np.int64)]
            needed = cuda.device_array((3, n), np.int64)
            driver[blocks, THREADS](*passed, *outputs, *slabs, needed)
            fneeded, ineeded, wneeded = (int(v) for v in needed.copy_to_host().max(axis=1))
            if (not state["taped"] or fneeded <= fcap and ineeded <= icap) and (not carves or wneeded <= wcap):
                break
            if state["taped"]:
                fcap, icap = max(fcap, fneeded), max(icap, ineeded)
            if carves:
                wcap = max(wcap, wneeded, 2 * wcap)   # a run stops at the first array that does not fit
            size = 8 * (fcap + icap + wcap) * n
            limit = state.get("memory") or _free_memory()
            if size > limit:
                raise SrcadError(f"{state['label']}: the tapes and workspace of {n} threads would need "
                                 f"{size / 2**30:.2f} GiB ({fcap} floats and {icap} ints of tapes, {wcap} floats "
                                 f"of workspace a thread, for {state['loops']}), more than the "
                                 f"{limit / 2**30:.2f} GiB available; run fewer items at a time")
            state["capacity"], state["workspace_capacity"] = (fcap, icap), wcap
        return [out.copy_to_host()[0] if leaf.summed else out if resident else out.copy_to_host()
                for leaf, out in zip(leaves, outputs)]


def _free_memory():
    from numba import cuda

    try:
        free, _ = cuda.current_context().get_memory_info()
        return int(0.8 * free)
    except Exception:   # the simulator has no device memory to ask about
        return 2 ** 31


def _respell(fn):
    """Call the helpers of :mod:`.device` where ``fn`` calls NumPy's scalar functions that CUDA does not lower."""
    for node in ast.walk(fn):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in device.SPELLINGS:
            node.func.id = device.SPELLINGS[node.func.id]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and ast.unparse(node.func) in device.SPELLINGS:
            node.func = ast.Name(device.SPELLINGS[ast.unparse(node.func)], ast.Load())


def _first_allocation(stmts):
    """(statement, call) of the first array allocation in ``stmts`` (nested blocks included), or None."""
    for stmt in stmts:
        for node in ast.walk(stmt):
            if allocation.is_allocation(node):
                return _innermost(stmt, node), node
    return None


def _innermost(stmt, call):
    """The innermost statement of ``stmt`` (a block may nest others) that holds ``call``: the line to name."""
    for field in ("body", "orelse"):
        for inner in getattr(stmt, field, []) or []:
            if any(node is call for node in ast.walk(inner)):
                return _innermost(inner, call)
    return stmt

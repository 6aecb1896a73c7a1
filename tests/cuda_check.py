"""The CUDA target over the catalogue: which derivatives it builds, and PTX for each (no GPU needed).

    python3 tests/cuda_check.py [--only TEXT]

For every catalogue function (tests/catalogue.py) in the modes grad, value_and_grad,
jvp, vjp, hvp and hessian, build the derivative with ``target="cuda"``: either srcad
refuses it with an ``UnsupportedError`` (a device function cannot allocate the arrays
it would need), or it is built, and then a kernel that calls it with the example
arguments, as a user's ``@cuda.jit`` kernel does, is compiled to PTX with
``numba.cuda.compile_ptx``.  Numba's CUDA compiler asks the current device for its
compute capability when it compiles a callee; :func:`stub_device` answers for a
machine without a GPU.  Prints one line a case and a summary; exit status 1 when
a built derivative does not compile.
"""

import argparse
import contextlib
import os
import pathlib
import sys
import time
import types

HERE = pathlib.Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

MODES = ("grad", "value_and_grad", "jvp", "vjp", "hvp", "hessian")
CC = (8, 0)


@contextlib.contextmanager
def stub_device(cc=CC):
    """Let ``compile_ptx`` compile callees without a GPU: Numba asks the current device for its compute
    capability (``numba.cuda.dispatcher.get_current_device``), which needs a driver; answer ``cc``."""
    import numba.cuda.dispatcher as dispatcher

    saved = dispatcher.get_current_device
    dispatcher.get_current_device = lambda: types.SimpleNamespace(compute_capability=cc)
    try:
        yield
    finally:
        dispatcher.get_current_device = saved


def extra_arguments(kind, func, args, wrt):
    """The arguments a kind appends: tangents like the wrt arguments, a cotangent like the result."""
    import numpy as np

    indices = (wrt,) if isinstance(wrt, int) else tuple(wrt)

    def like(value):
        if isinstance(value, tuple):
            return tuple(like(v) for v in value)
        return np.ones_like(value, dtype=np.float64) if isinstance(value, np.ndarray) else 1.0

    if kind == "jvp":
        return tuple(like(args[i]) for i in indices)
    if kind == "vjp":
        return (like(func(*args)),)
    if kind == "hvp":
        return (like(args[indices[0]]),)
    return ()


def kernel_calling(derivative, count):
    """A ``@cuda.jit``-able kernel of ``count`` arguments that calls ``derivative`` on them."""
    names = ", ".join(f"a{k}" for k in range(count))
    namespace = {"derivative": derivative}
    exec(f"def kernel({names}):\n    derivative({names})\n", namespace)
    return namespace["kernel"]


def compile_call(derivative, args):
    """PTX of a kernel that calls ``derivative`` (made by srcad with target="cuda") on values like ``args``."""
    import numba
    from numba import cuda

    argtypes = tuple(numba.typeof(a) for a in args)
    with stub_device():
        ptx, _ = cuda.compile_ptx(kernel_calling(derivative, len(args)), argtypes, cc=CC)
    return ptx


def compile_batch(batch, args):
    """PTX of the kernel of a CUDA ``batch`` for ``args`` (built, not run)."""
    import numba
    import numpy as np
    from numba import cuda

    built, leaves, _, _ = batch._prepare(args)
    argtypes = [numba.typeof(a) for a in args]
    argtypes += [numba.typeof(np.zeros((1,) * (1 + len(leaf.shape)), leaf.dtype)) for leaf in leaves]
    if built.state["workspace"]:
        argtypes.append(numba.typeof(np.zeros((1, 1))))
    if built.state["taped"]:
        argtypes += [numba.typeof(np.zeros((1, 1))), numba.typeof(np.zeros((1, 1), np.int64))]
    if built.state["taped"] or built.state["workspace"]:
        argtypes.append(numba.typeof(np.zeros((3, 1), np.int64)))
    with stub_device():
        ptx, _ = cuda.compile_ptx(built.driver.py_func, tuple(argtypes), cc=CC)
    return ptx


def cases(only=""):
    import catalogue

    out = []
    for entry in catalogue.ENTRIES:
        if only not in entry.name or entry.returns == "tuple":
            continue
        for mode in MODES:
            catalogue_mode = "check" if mode == "value_and_grad" else mode
            if catalogue_mode in entry.modes or (mode == "value_and_grad" and "grad" in entry.modes):
                out.append((entry, mode))
    return out


def check(entry, mode):
    """("built", seconds) when the CUDA derivative builds and compiles, ("refused", reason) when srcad refuses it."""
    import numpy as np

    import srcad
    from srcad.api.entry import bare_array_result, takes_workspace

    wrt = entry.wrt_of("hessian" if mode in ("hessian", "hvp") else "grad")
    args = entry.example()
    maker = getattr(srcad, mode)
    try:
        derivative = maker(entry.func, wrt=wrt, target="cuda")
        full = args + extra_arguments(mode, entry.func, args, wrt)
        t = derivative.__srcad__
        types = t.split_args(full, len(full) - len(args))[2]
        spec = t.specialize(types)
    except srcad.UnsupportedError as error:
        return "refused", error.construct or str(error).splitlines()[0]
    if bare_array_result(t, types):
        return "refused", "an array alone as the result"
    if takes_workspace(spec.functions["entry"]):
        full = full + (np.zeros(64),)   # arrays carved from a workspace: its size does not matter to the compiler
    start = time.perf_counter()
    compile_call(derivative, full)
    return "built", time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="only the catalogue functions whose name contains this text")
    options = parser.parse_args(argv)
    os.environ.setdefault("SRCAD_CACHE_DIR", "/tmp/srcad-cuda-check")
    built, refused, failed = 0, 0, []
    for entry, mode in cases(options.only):
        try:
            outcome, detail = check(entry, mode)
        except Exception as error:   # noqa: BLE001  (report every failing case, not only the first)
            failed.append((entry.name, mode, error))
            print(f"FAILED   {entry.name} {mode}: {type(error).__name__}: {str(error).splitlines()[0][:200]}")
            continue
        if outcome == "built":
            built += 1
            print(f"ptx      {entry.name} {mode} ({detail:.2f} s)")
        else:
            refused += 1
            print(f"refused  {entry.name} {mode}: {detail}")
    print(f"{built} built and compiled to PTX, {refused} refused by srcad, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

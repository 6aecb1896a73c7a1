"""target="cuda" without a GPU: what it refuses, and PTX for what it builds (``numba.cuda.compile_ptx``).

The simulator (tests/test_cuda_simulator.py) runs device functions as Python and so
accepts code real CUDA rejects; here every derivative a test builds is compiled by
Numba's CUDA compiler to PTX, called from a kernel as a user's kernel calls it, and so
is every batch kernel.  Skipped without numba-cuda, and in the simulator's process.
``python3 tests/cuda_check.py`` does the same for every catalogue function.
"""

import importlib.util
import os

import numba
import numpy as np
import pytest

pytestmark = pytest.mark.skipif(
    os.environ.get("NUMBA_ENABLE_CUDASIM") == "1" or importlib.util.find_spec("numba_cuda") is None,
    reason="needs numba-cuda (the cuda extra), outside the CUDA simulator")

import srcad  # noqa: E402

import cuda_check  # noqa: E402
from cuda_programs import (call_price, gradient_of_array, lorenz, newton_root, pair_energy,  # noqa: E402
                           particle_energy, polynomial, ranked_squares, smooth_energy, trajectory_loss)


@pytest.mark.parametrize("make, args", [
    (lambda: srcad.grad(call_price, wrt=(0, 3), target="cuda"), (100.0, 95.0, 0.03, 0.25, 0.75)),
    (lambda: srcad.grad(call_price, wrt=(0, 3), target="cuda"),
     tuple(np.float32(v) for v in (100.0, 95.0, 0.03, 0.25, 0.75))),
    (lambda: srcad.value_and_grad(lorenz, wrt=(0, 1, 2), target="cuda"), (10.0, 28.0, 2.5, 1.0, 1.0, 1.0, 0.01, 100)),
    (lambda: srcad.vjp(lorenz, wrt=(3, 4, 5), target="cuda"), (10.0, 28.0, 2.5, 1.0, 1.0, 1.0, 0.01, 100, 1.0)),
    (lambda: srcad.jvp(pair_energy, wrt=(0, 1, 2), target="cuda"), (1.0, 0.5, 0.2, 1.0, 1.0, 1.0, 0.0, 0.0)),
    (lambda: srcad.hessian(newton_root, target="cuda"), (2.0, 3.0)),
    (lambda: srcad.hvp(newton_root, target="cuda"), (2.0, 3.0, 1.0)),
    (lambda: srcad.grad(polynomial, target="cuda"), (0.5, np.array([1.0, 2.0, 3.0]))),
    (lambda: srcad.value_and_grad(lorenz, wrt=(0, 1, 2), target="cuda", tape=(2800, 0)),
     (10.0, 28.0, 2.5, 1.0, 1.0, 1.0, 0.01, 200)),
    (lambda: srcad.value_and_grad(smooth_energy, wrt=(0, 1), target="cuda"),
     (np.linspace(-1.0, 1.0, 5), 0.7, np.zeros(16))),
    (lambda: srcad.grad(trajectory_loss, wrt=(0, 1), target="cuda"),
     (np.array([0.9, 0.4]), np.array([0.2, 0.5, 0.1]), 0.05, 20, np.zeros(200))),
    (lambda: srcad.jvp(smooth_energy, wrt=0, target="cuda"),
     (np.linspace(-1.0, 1.0, 5), 0.7, np.ones(5), np.zeros(16))),
], ids=["black-scholes", "black-scholes-float32", "lorenz", "lorenz-vjp", "lennard-jones-jvp", "hessian-while",
        "hvp-while", "read-only-array", "tapes-sized-ahead", "workspace-gradient", "workspace-recorded-arrays",
        "workspace-jvp"])
def test_derivatives_called_from_a_kernel_compile_to_ptx(make, args):
    ptx = cuda_check.compile_call(make(), args)
    assert ".visible .entry" in ptx


@pytest.mark.parametrize("make, args, shared", [
    (lambda: srcad.grad(call_price, wrt=(0, 2, 3), target="cuda"),
     (np.linspace(90.0, 110.0, 4), 100.0, 0.03, np.full(4, 0.2), 0.75), ("strike", "rate", "maturity")),
    (lambda: srcad.value_and_grad(lorenz, wrt=(0, 1, 2), target="cuda"),
     (np.full(4, 10.0), np.full(4, 28.0), 2.5, 1.0, 1.0, 1.0, 0.01, 50), (2, 3, 4, 5, 6, 7)),
    (lambda: srcad.grad(newton_root, wrt=(0, 1), target="cuda"), (np.linspace(1.0, 9.0, 4), 3.0), ("power",)),
    (lambda: srcad.grad(newton_root, wrt=(0, 1)), (np.linspace(1.0, 9.0, 4).astype(np.float32), 3.0), ("power",)),
    (lambda: srcad.grad(particle_energy, wrt=(0, 1, 2), target="cuda"),
     (np.zeros(4), np.ones(4), np.ones(4), np.arange(4), np.zeros(4), np.ones(4), np.ones(4), 1.0, 1.0),
     (4, 5, 6, 7, 8)),
    (lambda: srcad.value_and_grad(smooth_energy, wrt=(0, 1), target="cuda"),
     (np.ones((4, 5)), 0.7), (1,)),
    (lambda: srcad.grad(trajectory_loss, wrt=(0, 1), target="cuda"),
     (np.ones((4, 2)), np.array([0.2, 0.5, 0.1]), 0.05, 20), (1, 2, 3)),
], ids=["black-scholes", "lorenz", "while", "cpu-derivative-float32", "lennard-jones", "array-rows-workspace",
        "shared-array-adjoint-summed"])
def test_batch_kernels_compile_to_ptx(make, args, shared):
    ptx = cuda_check.compile_batch(srcad.batch(make(), shared=shared, target="cuda"), args)
    assert ".visible .entry" in ptx


# a fixed sample of the catalogue (all of it: python3 tests/cuda_check.py)
SAMPLE = ("mgh.rosenbrock", "primitives.rounded_factors", "primitives.gamma_plus_and_bool", "higher.lgamma_of",
          "array_regressions.ufunc_spellings_scalar", "vectors.ufuncs_piecewise", "recording.", "golden.")


@pytest.mark.parametrize("entry, mode", [case for case in cuda_check.cases() if case[0].name.startswith(SAMPLE)],
                         ids=lambda value: getattr(value, "name", value))
def test_catalogue_sample_builds_or_is_refused_and_compiles(entry, mode):
    outcome, detail = cuda_check.check(entry, mode)
    assert outcome in ("built", "refused")
    if outcome == "refused":
        assert detail.startswith(("np.", "jacobian", "checkpoint", "an array alone")), detail


def test_arrays_the_workspace_cannot_hold_are_refused_naming_line_and_construct():
    with pytest.raises(srcad.UnsupportedError, match=r"cuda_programs\.py:\d+: unsupported construct "
                                                     r"'np\.zeros\(x\.shape\[0\], np\.int64\)'.*workspace") as info:
        srcad.grad(ranked_squares, wrt=(0,), target="cuda")(np.ones(3))
    assert info.value.construct == "np.zeros(x.shape[0], np.int64)"
    # float64 arrays come from the workspace; the result of grad is then a tuple's array, or refused alone
    srcad.source(srcad.grad(gradient_of_array, wrt=(0,), target="cuda"), args=(np.ones(3),))
    with pytest.raises(srcad.UnsupportedError, match="inside a tuple"):
        cuda_check.compile_call(srcad.grad(gradient_of_array, target="cuda"), (np.ones(3), np.zeros(8)))


def test_what_the_cuda_target_refuses_when_it_is_asked():
    for kind in (srcad.jacobian, srcad.jacfwd, srcad.jacrev, srcad.forward_grad):
        with pytest.raises(srcad.UnsupportedError, match="target='cuda'"):
            kind(call_price, target="cuda")
    with pytest.raises(srcad.UnsupportedError, match="checkpoint"):
        srcad.grad(lorenz, target="cuda", checkpoint=4)
    with pytest.raises(srcad.SrcadError, match="check=True"):
        srcad.grad(lorenz, target="cuda", check=True)
    with pytest.raises(srcad.SrcadError, match="device function"):
        srcad.grad(call_price, target="cuda")(100.0, 95.0, 0.03, 0.25, 0.75)


def test_numpy_scalar_functions_are_spelled_for_the_device():
    from srcad.backend import device

    def rounded(x):
        return np.floor(x) * x + np.sign(x) * np.square(x)

    text = srcad.source(srcad.grad(rounded, target="cuda"), args=(1.5,))
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert "_device.floor(x)" in code and "np.floor" not in code and "@cuda.jit(device=True)" in code
    values = np.array([-1e300, -2.0**53 - 2.0, -7.5, -2.0, -0.5, -0.0, 0.0, 0.25, 1.0, 3.7, 2.0**60, np.inf,
                       -np.inf, np.nan])
    for name in ("floor", "ceil", "trunc", "sign", "square", "negative", "reciprocal", "exp2"):
        compiled = numba.njit(lambda v, f=getattr(device, name): f(v))   # as generated code calls it
        ours = np.array([compiled(v) for v in values])
        with np.errstate(all="ignore"):
            assert np.array_equal(ours, getattr(np, name)(values), equal_nan=True), name
    with np.errstate(all="ignore"):
        for a, b in [(5.5, 2.0), (-5.5, 2.0), (5.5, -2.0), (3.0, 3.0), (-np.inf, 1.0), (700.0, 1.0)]:
            assert np.array_equal(device.mod(a, b), np.mod(a, b), equal_nan=True)
            assert device.logaddexp(a, b) == pytest.approx(np.logaddexp(a, b), rel=1e-15)
    for x in (-8.0, 0.0, 0.3, 27.0):
        assert device.cbrt(x) == pytest.approx(np.cbrt(x), rel=1e-15)
        assert device.sinc(x) == pytest.approx(np.sinc(x), rel=1e-15)

"""Hessians of functions whose gradients record on a tape, by vector mode over the gradient.

The checks against differences and against the Hessian by columns run as plain Python
(vector_hessian_checks.py, in a subprocess with NUMBA_DISABLE_JIT=1: it builds many
second derivatives); one case is compiled here, called from Python and from @njit code.
"""

import os
import pathlib
import subprocess
import sys

import numba
import numpy as np

import examples_vector_hessian as ex
import srcad

HERE = pathlib.Path(__file__).parent


def test_taped_gradients_jacobian_and_hessian_match_differences_and_columns():
    env = dict(os.environ, NUMBA_DISABLE_JIT="1",
               PYTHONPATH=os.pathsep.join([str(HERE.parent), str(HERE), os.environ.get("PYTHONPATH", "")]))
    out = subprocess.run([sys.executable, str(HERE / "vector_hessian_checks.py")], capture_output=True, text=True,
                         env=env)
    assert out.returncode == 0, out.stdout + out.stderr


def test_hessian_of_a_newton_iteration_compiled():
    hessian = srcad.hessian(ex.newton_roots)

    @numba.njit
    def inside(x):
        return hessian(x)

    x = np.array([2.0, 3.0, 5.0, 0.7])
    H = hessian(x)
    np.testing.assert_allclose(H, H.T, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(inside(x), H, rtol=1e-12)
    hvp = srcad.hvp(ex.newton_roots)
    for k in range(x.size):
        np.testing.assert_allclose(H[:, k], hvp(x, np.eye(x.size)[k]), rtol=1e-12, atol=1e-12)

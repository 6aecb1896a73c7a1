"""Functions that call SciPy's special functions and callables that compiled code calls directly."""

import random

import numpy as np
import scipy.special as sc
from numba import cfunc, vectorize

try:
    from numba_stats._special import erfcx as ns_erfcx, gammainc as ns_gammainc, kv as ns_kv, \
        log_ndtr as ns_log_ndtr
except ImportError:      # numba-stats is optional: these use SciPy's ufuncs then
    ns_erfcx, ns_gammainc, ns_kv, ns_log_ndtr = sc.erfcx, sc.gammainc, sc.kv, sc.log_ndtr


def with_scipy(x, a):
    return sc.erfcx(x) * sc.gammainc(a, x) + sc.log_ndtr(x)


def with_numba_stats_bindings(x, a):
    return ns_erfcx(x) * ns_gammainc(a, x) + ns_log_ndtr(x)


@cfunc("float64(float64)")
def c_square(x):
    return x * x


@vectorize(["float64(float64)"])
def v_cube(x):
    return x * x * x


def through_compiled_callables(x):
    return c_square(x) + v_cube(x) + ns_kv(1.5, x)


def every_special(x, c):
    """Each special function once, x where a derivative exists and the constant c where none does."""
    s = sc.ndtr(x) + sc.log_ndtr(x) + sc.ndtri(0.5 * x) + sc.erfcx(x) + sc.erfinv(0.5 * x) + sc.gammaln(x + 1.0)
    s += sc.psi(x + 1.0) + sc.expit(x) + sc.logit(0.5 * x) + sc.xlogy(x, x + 1.0) + sc.xlog1py(x, x)
    s += sc.gammainc(c, x) + sc.gammaincc(c, x) + sc.stdtr(c, x) + sc.owens_t(x, x) + sc.kv(c, x)
    s += sc.iv(c, x) + sc.ive(c, x) + sc.betainc(c, c, 0.5 * x) + sc.chndtr(x, c, c) + sc.voigt_profile(c, c, c)
    s += sc.hyp2f1(c, c, c + 1.0, 0.5 * x)
    return s


def noisy(x):
    return x * np.random.normal()


def noisy_python(x):
    return x * random.random()


def in_shape_parameters(x, c):
    """The special functions whose derivative in a shape parameter srcad computes, differentiated in c."""
    return sc.gammainc(c, x) + sc.gammaincc(c, x) * 0.5 + sc.stdtr(c, x) + sc.kv(c, x)

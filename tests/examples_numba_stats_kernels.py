"""Negative log-likelihoods over numba-stats' kernels (imported only when numba-stats is installed)."""

import numpy as np
from numba_stats import expon, norm, truncexpon


def nll_norm(x, loc, scale):
    return -np.sum(norm._logpdf(x, loc, scale))


def nll_expon(x, loc, scale):
    return -np.sum(expon._logpdf(x, loc, scale))


def nll_truncexpon(x, xmin, xmax, loc, scale):
    return -np.sum(truncexpon._logpdf(x, xmin, xmax, loc, scale))

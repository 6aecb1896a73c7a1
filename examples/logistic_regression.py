"""A likelihood fitted with scipy.optimize.minimize(jac=True).

The negative log-likelihood of L2-regularized logistic regression is written
as two plain loops over the data.  ``srcad.value_and_grad`` turns it into the
``(value, gradient)`` function that ``scipy.optimize.minimize(..., jac=True)``
expects.  The script checks the gradient at the start against central finite
differences, fits the weights and checks that the gradient vanishes at the
optimum.

    python3 examples/logistic_regression.py
"""

import math

import numba
import numpy as np
import scipy.optimize

import srcad


@numba.njit
def negative_log_likelihood(w, X, y, l2):
    """sum_i log(1 + exp(z_i)) - y_i z_i with z = X w, plus l2/2 |w|^2."""
    total = 0.0
    for i in range(X.shape[0]):
        z = 0.0
        for j in range(X.shape[1]):
            z += X[i, j] * w[j]
        # log(1 + exp(z)), stable for large |z|
        total += max(z, 0.0) + math.log1p(math.exp(-abs(z))) - y[i] * z
    for j in range(w.shape[0]):
        total += 0.5 * l2 * w[j] * w[j]
    return total


nll_and_gradient = srcad.value_and_grad(negative_log_likelihood)


def make_data(n=400, d=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    true_w = np.linspace(-1.0, 1.5, d)
    y = (rng.uniform(size=n) < 1.0 / (1.0 + np.exp(-X @ true_w))).astype(np.float64)
    return X, y, true_w


def central_difference_gradient(f, w, *args, h=1e-6):
    g = np.empty_like(w)
    for j in range(w.shape[0]):
        step = np.zeros_like(w)
        step[j] = h
        g[j] = (f(w + step, *args) - f(w - step, *args)) / (2.0 * h)
    return g


def main():
    X, y, true_w = make_data()
    l2 = 0.1
    w0 = np.full(X.shape[1], 0.1)
    value, gradient = nll_and_gradient(w0, X, y, l2)
    numeric = central_difference_gradient(negative_log_likelihood, w0, X, y, l2)
    assert np.allclose(gradient, numeric, rtol=1e-6, atol=1e-6), (gradient, numeric)

    fit = scipy.optimize.minimize(nll_and_gradient, w0, args=(X, y, l2), jac=True, method="L-BFGS-B")
    _, final_gradient = nll_and_gradient(fit.x, X, y, l2)
    print(f"negative log-likelihood: {value:.4f} at the start, {fit.fun:.4f} after {fit.nit} iterations")
    print(f"fitted weights: {np.round(fit.x, 3)}")
    print(f"true weights:   {np.round(true_w, 3)}")
    print(f"|gradient| at the optimum: {np.linalg.norm(final_gradient):.2e}")
    assert fit.success and np.linalg.norm(final_gradient) < 1e-3
    return fit.x


if __name__ == "__main__":
    main()

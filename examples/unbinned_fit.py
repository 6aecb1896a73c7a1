"""An unbinned maximum-likelihood fit with numba-stats: a Crystal Ball peak on an exponential background.

The negative log-likelihood is written as one calls numba-stats, with its
public ``pdf`` functions.  srcad differentiates it through numba-stats' own
compiled code: ``value_and_grad`` gives ``scipy.optimize.minimize`` its
gradient (``jac=True``), and srcad's Hessian at the minimum gives the
parameters' errors.  The fit is checked against the truth it was generated
from; with iminuit installed it is repeated there; with matplotlib installed
``--plot`` draws it.

    python3 examples/unbinned_fit.py [--plot]
"""

import sys

import numpy as np
from scipy.optimize import minimize

import srcad

try:
    from numba_stats import crystalball, truncexpon
except ImportError:       # numba-stats is what this example is about
    crystalball = truncexpon = None

LOW, HIGH = 0.0, 10.0
WINDOW = np.array([LOW, HIGH])
TRUTH = np.array([0.7, 5.0, 0.5, 1.2, 3.0])   # signal fraction, peak position, width, tail start, slope


def negative_log_likelihood(p, x):
    """-log L of the mixture: signal fraction p[0] of a Crystal Ball (position p[1], width p[2], tail from
    p[3] widths with power 3), the rest an exponential of slope p[4], both normalized to the window."""
    inside = crystalball.cdf(WINDOW, p[3], 3.0, p[1], p[2])
    signal = crystalball.pdf(x, p[3], 3.0, p[1], p[2]) / (inside[1] - inside[0])
    background = truncexpon.pdf(x, LOW, HIGH, 0.0, p[4])
    return -np.sum(np.log(p[0] * signal + (1.0 - p[0]) * background))


def sample(rng, size):
    """Events from the truth: the peak drawn by accept-reject, the background from an exponential."""
    fraction, mu, sigma, beta, slope = TRUTH
    peak = []
    grid = np.linspace(LOW, HIGH, 2001)
    density = crystalball.pdf(grid, beta, 3.0, mu, sigma)
    while len(peak) < int(fraction * size):
        x = rng.uniform(LOW, HIGH, size)
        keep = rng.uniform(0.0, density.max(), size) < crystalball.pdf(x, beta, 3.0, mu, sigma)
        peak.extend(x[keep])
    background = rng.exponential(slope, 4 * size)
    background = background[background < HIGH][:size - int(fraction * size)]
    return np.concatenate([np.array(peak[:int(fraction * size)]), background])


def main(argv=()):
    if crystalball is None:
        print("numba-stats is not installed: pip install numba-stats")
        return None
    rng = np.random.default_rng(1)
    x = sample(rng, 20000)
    objective = srcad.value_and_grad(negative_log_likelihood)
    start = np.array([0.5, 4.5, 0.8, 1.5, 2.0])
    bounds = [(0.01, 0.99), (3.0, 7.0), (0.1, 2.0), (0.3, 4.0), (0.5, 10.0)]
    fit = minimize(objective, start, args=(x,), jac=True, method="L-BFGS-B", bounds=bounds)
    covariance = np.linalg.inv(srcad.hessian(negative_log_likelihood)(fit.x, x))
    errors = np.sqrt(np.diag(covariance))
    names = ("fraction", "position", "width", "tail start", "slope")
    print(f"{'parameter':>12} {'truth':>8} {'fit':>8} {'error':>8} {'pull':>6}")
    for name, truth, value, error in zip(names, TRUTH, fit.x, errors):
        print(f"{name:>12} {truth:8.4f} {value:8.4f} {error:8.4f} {(value - truth) / error:6.2f}")
    print(f"converged: {fit.success} in {fit.nfev} evaluations of -log L and its gradient")
    assert fit.success
    assert np.all(np.abs(fit.x - TRUTH) < 5 * errors), "the fit is more than 5 errors off the truth"
    numeric = np.array([(negative_log_likelihood(fit.x + h, x) - negative_log_likelihood(fit.x - h, x)) / 2e-6
                        for h in 1e-6 * np.eye(5)])
    assert np.allclose(objective(fit.x, x)[1], numeric, rtol=1e-4, atol=1e-2)
    try:
        from iminuit import Minuit
    except ImportError:
        pass
    else:
        m = Minuit(lambda p: objective(p, x)[0], start, grad=lambda p: objective(p, x)[1])
        m.errordef = Minuit.LIKELIHOOD
        m.limits = bounds
        m.migrad()
        print("iminuit:", np.round(np.array(m.values), 4), "errors", np.round(np.array(m.errors), 4))
    if "--plot" in argv:
        try:
            import matplotlib.pyplot as plt
        except ImportError:
            print("matplotlib is not installed: no plot")
        else:
            grid = np.linspace(LOW, HIGH, 400)
            f, mu, sigma, beta, slope = fit.x
            inside = crystalball.cdf(WINDOW, beta, 3.0, mu, sigma)
            model = f * crystalball.pdf(grid, beta, 3.0, mu, sigma) / (inside[1] - inside[0]) \
                + (1 - f) * truncexpon.pdf(grid, LOW, HIGH, 0.0, slope)
            plt.hist(x, bins=100, range=(LOW, HIGH), density=True, histtype="step", label="events")
            plt.plot(grid, model, label="fit")
            plt.legend()
            plt.savefig("unbinned_fit.png", dpi=100)
            print("wrote unbinned_fit.png")
    return fit.x, errors


if __name__ == "__main__":
    main(sys.argv[1:])

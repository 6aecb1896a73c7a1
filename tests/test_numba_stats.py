"""numba-stats through its public API: every density, log-density and distribution function of every
distribution, differentiated with respect to each float parameter, run as plain Python (no compilation), and
the compiled gradient of one likelihood.  Each derivative agrees with finite differences or is refused with a
message naming the function and the argument that has no derivative; none is a wrong number."""

import numpy as np
import pytest

import srcad

numba_stats = pytest.importorskip("numba_stats")

import numba_stats_cases  # noqa: E402
from recording_checks import plain_reverse  # noqa: E402


def _outcome(module, function, data, values, index):
    f = numba_stats_cases.ask(module, function, values)
    args = [data] + list(values.values())
    try:
        _, got = plain_reverse(f, args, index + 1)
    except srcad.UnsupportedError as error:
        return "refused", str(error)
    value = args[index + 1]
    h = 1e-6 * max(1.0, abs(value))
    up, down = list(args), list(args)
    up[index + 1] += h
    down[index + 1] -= h
    numeric = (f(*up) - f(*down)) / (2 * h)
    assert abs(got - numeric) <= 1e-5 * max(1.0, abs(numeric)), (module, function, index, got, numeric)
    return "ok", None


def test_every_distribution_and_parameter_is_right_or_refused_by_name():
    outcomes = {}
    for module, function, data, values in numba_stats_cases.cases():
        for index, param in enumerate(values):
            outcomes[module, function, param] = _outcome(module, function, data, values, index)
    refused = {key: message for key, (kind, message) in outcomes.items() if kind == "refused"}
    for key, message in refused.items():
        # only derivatives that have no closed form: in a special function's shape parameter
        assert "scipy.special." in message and "with respect to" in message, (key, message)
    distributions = {module for module, _, _ in outcomes}
    complete = {module for module in distributions if not any(k[0] == module for k in refused)}
    assert len(outcomes) - len(refused) >= 0.9 * len(outcomes), sorted(refused)
    assert len(complete) >= 0.9 * len(distributions), sorted(distributions - complete)


def test_a_compiled_likelihood_gradient():
    from numba_stats import norm

    assert norm is not None
    f = numba_stats_cases.ask("norm", "logpdf", dict(loc=1.1, scale=0.8))
    data = numba_stats_cases.DATA
    result = srcad.check_grad(f, data, 1.1, 0.8, wrt=(1, 2))
    assert result.ok, result

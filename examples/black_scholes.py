"""Black-Scholes Greeks by reverse mode, against their closed forms.

The price of a European call is written with ``math.erf``; ``srcad.grad``
with respect to the spot and the volatility gives delta and vega in one
sweep.  The script compares them with the closed forms N(d1) and
S phi(d1) sqrt(T), and with central finite differences.

    python3 examples/black_scholes.py
"""

import math

import numba

import srcad


@numba.njit
def normal_cdf(x):
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


@numba.njit
def call_price(spot, strike, rate, volatility, maturity):
    """The Black-Scholes price of a European call."""
    root_t = math.sqrt(maturity)
    d1 = (math.log(spot / strike) + (rate + 0.5 * volatility * volatility) * maturity) / (volatility * root_t)
    d2 = d1 - volatility * root_t
    return spot * normal_cdf(d1) - strike * math.exp(-rate * maturity) * normal_cdf(d2)


greeks = srcad.grad(call_price, wrt=(0, 3))   # (delta, vega)


def closed_forms(spot, strike, rate, volatility, maturity):
    d1 = (math.log(spot / strike) + (rate + 0.5 * volatility ** 2) * maturity) / (volatility * math.sqrt(maturity))
    density = math.exp(-0.5 * d1 * d1) / math.sqrt(2.0 * math.pi)
    return normal_cdf(d1), spot * density * math.sqrt(maturity)


def main():
    args = [100.0, 95.0, 0.03, 0.25, 0.75]   # spot, strike, rate, volatility, maturity (years)
    delta, vega = greeks(*args)
    exact_delta, exact_vega = closed_forms(*args)
    h = 1e-5
    numeric = []
    for index in (0, 3):
        plus, minus = list(args), list(args)
        plus[index] += h
        minus[index] -= h
        numeric.append((call_price(*plus) - call_price(*minus)) / (2.0 * h))
    print(f"price {call_price(*args):.6f}")
    print(f"delta {delta:.10f}   closed form {exact_delta:.10f}   finite differences {numeric[0]:.10f}")
    print(f"vega  {vega:.10f}   closed form {exact_vega:.10f}   finite differences {numeric[1]:.10f}")
    assert abs(delta - exact_delta) < 1e-12 and abs(vega - exact_vega) < 1e-9
    assert abs(delta - numeric[0]) < 1e-6 and abs(vega - numeric[1]) < 1e-5 * exact_vega
    return delta, vega


if __name__ == "__main__":
    main()

"""Array benchmark problems for srcad: 2-D arrays, writes into local arrays, NumPy calls.

Each problem is a plain, undecorated Python function written the way one
writes for Numba (explicit loops over 2-D arrays, scratch arrays written in
place, a few NumPy calls), compiled as the primal with ``numba.njit``,
together with a hand-written adjoint compiled with Numba and tuned for speed:

* ``gmm``: the Gaussian mixture model objective of ADBench / GradBench
  (log-likelihood plus Wishart prior, precision factors parametrized by their
  log-diagonal and strictly-lower part); d/d(alphas, means, icf);
* ``lstm``: ADBench's LSTM objective (two layers of the "diagonal" LSTM,
  hidden size 14, 1024 characters); d/d(main_params, extra_params);
* ``lennard_jones``: the pairwise Lennard-Jones energy of 1000 particles
  (no cutoff, no periodic box); d/d(positions), i.e. minus the forces.

Run ``python3 benchmarks/problems_arrays.py`` to check every hand-written
gradient against central finite differences.
"""

import math

import numba
import numpy as np


# --------------------------------------------------------------------------
# GMM: Gaussian mixture model objective (ADBench / GradBench)
# --------------------------------------------------------------------------
#
# Parameters: alphas (K,) unnormalized log mixture weights, means (K, d),
# icf (K, d (d + 1) / 2).  Row k of icf holds first the logarithms of the
# diagonal of the lower-triangular factor L_k of the k-th precision matrix,
# then its strictly-lower entries column by column:
#     L_k[j, i] = icf[k, p] for i = 0..d-1, j = i+1..d-1, p = d, d+1, ...
# Objective (as ADBench defines it, constants included):
#     sum_n logsumexp_k(alphas_k + sum(log diag L_k) - 0.5 |L_k (x_n - means_k)|^2)
#     - N logsumexp(alphas) - N d / 2 log(2 pi)
#     + sum_k [0.5 gamma^2 |L_k|_F^2 - m sum(log diag L_k)] - K C(gamma, m, d)
# with wishart_gamma = 1, wishart_m = 0 and the Wishart normalization
#     C = n_w d (log gamma - log(2) / 2) - log Gamma_d(n_w / 2),  n_w = d + m + 1.
# This is ADBench's original definition (GradBench's later corrections of the
# prior's sign and of the factor's orientation are not applied), so that its
# published timings remain comparable.

GMM_D = 10
GMM_K = 25
GMM_N = 1000


def gmm_objective(alphas, means, icf, x, wishart_gamma, wishart_m):
    n = x.shape[0]
    d = x.shape[1]
    k = alphas.shape[0]
    qdiags = np.exp(icf[:, :d])
    sum_qs = np.sum(icf[:, :d], axis=1)
    xc = np.empty(d)
    lx = np.empty(d)
    main = np.empty(k)
    slse = 0.0
    for ix in range(n):
        for ik in range(k):
            for j in range(d):
                xc[j] = x[ix, j] - means[ik, j]
                lx[j] = qdiags[ik, j] * xc[j]
            p = d
            for i in range(d):
                for j in range(i + 1, d):
                    lx[j] += icf[ik, p] * xc[i]
                    p += 1
            sq = 0.0
            for j in range(d):
                sq += lx[j] * lx[j]
            main[ik] = alphas[ik] + sum_qs[ik] - 0.5 * sq
        mx = np.max(main)
        slse += mx + np.log(np.sum(np.exp(main - mx)))
    amx = np.max(alphas)
    lse_alphas = amx + np.log(np.sum(np.exp(alphas - amx)))

    # Wishart prior on the precision matrices
    nw = d + wishart_m + 1
    frobenius = np.sum(qdiags * qdiags) + np.sum(icf[:, d:] * icf[:, d:])
    prior = 0.5 * wishart_gamma * wishart_gamma * frobenius - wishart_m * np.sum(sum_qs)
    log_gamma_d = 0.25 * d * (d - 1) * math.log(math.pi)
    for j in range(1, d + 1):
        log_gamma_d += math.lgamma(0.5 * nw + 0.5 * (1 - j))
    c = nw * d * (math.log(wishart_gamma) - 0.5 * math.log(2.0)) - log_gamma_d
    constant = -n * d * 0.5 * math.log(2.0 * math.pi)
    return constant + slse - n * lse_alphas + prior - k * c


@numba.njit(cache=False)
def gmm_grad_adjoint(alphas, means, icf, x, wishart_gamma, wishart_m):
    """Adjoint of gmm_objective w.r.t. (alphas, means, icf), in the loop order of the primal.

    One pass over the points.  For point x and component k let
    xc = x - means_k, y = L_k xc (L_k with diagonal exp(icf[k, :d])) and
    w_k = softmax_k(main) the responsibility.  The term -0.5 |y|^2 gives
    y_bar = -w_k y; it is accumulated as
        V[k, j]    = sum_x w_k y_j            (means_bar_k = L_k^T V_k at the end)
        A[k, p]    = sum_x w_k y_j xc_i       (L_k[j, i] = icf[k, p], p > d)
        A[k, j]    = sum_x w_k y_j xc_j       (diagonal, times exp(icf) at the end)
        W[k]       = sum_x w_k                (alphas_bar and the sum_qs term)
    so the work per (point, component) is one lower-triangular pass, like
    the primal, rather than two.
    """
    n = x.shape[0]
    d = x.shape[1]
    k = alphas.shape[0]
    icf_sz = icf.shape[1]
    qd = np.empty((k, d))
    sum_qs = np.empty(k)
    for ik in range(k):
        s = 0.0
        for j in range(d):
            qd[ik, j] = math.exp(icf[ik, j])
            s += icf[ik, j]
        sum_qs[ik] = s
    xc = np.empty((k, d))
    ly = np.empty((k, d))
    main = np.empty(k)
    V = np.zeros((k, d))
    A = np.zeros((k, icf_sz))
    W = np.zeros(k)
    for ix in range(n):
        mx = -np.inf
        for ik in range(k):
            xr = xc[ik]
            yr = ly[ik]
            for j in range(d):
                v = x[ix, j] - means[ik, j]
                xr[j] = v
                yr[j] = qd[ik, j] * v
            p = d
            for i in range(d):
                xi = xr[i]
                for j in range(i + 1, d):
                    yr[j] += icf[ik, p] * xi
                    p += 1
            sq = 0.0
            for j in range(d):
                sq += yr[j] * yr[j]
            m = alphas[ik] + sum_qs[ik] - 0.5 * sq
            main[ik] = m
            if m > mx:
                mx = m
        se = 0.0
        for ik in range(k):
            e = math.exp(main[ik] - mx)
            main[ik] = e
            se += e
        inv = 1.0 / se
        for ik in range(k):
            wk = main[ik] * inv
            W[ik] += wk
            xr = xc[ik]
            yr = ly[ik]
            vr = V[ik]
            ar = A[ik]
            for j in range(d):
                wy = wk * yr[j]
                yr[j] = wy
                vr[j] += wy
                ar[j] += wy * xr[j]
            p = d
            for i in range(d):
                xi = xr[i]
                base = p - i - 1
                for j in range(i + 1, d):
                    ar[base + j] += yr[j] * xi
                p += d - i - 1

    g_alphas = np.empty(k)
    g_means = np.empty((k, d))
    g_icf = np.empty((k, icf_sz))
    amx = -np.inf
    for ik in range(k):
        if alphas[ik] > amx:
            amx = alphas[ik]
    sa = 0.0
    for ik in range(k):
        sa += math.exp(alphas[ik] - amx)
    g2 = wishart_gamma * wishart_gamma
    for ik in range(k):
        g_alphas[ik] = W[ik] - n * math.exp(alphas[ik] - amx) / sa
        vr = V[ik]
        # means_bar = L^T V (y_bar = -w y and xc_bar = L^T y_bar = -means_bar)
        for i in range(d):
            g_means[ik, i] = qd[ik, i] * vr[i]
        p = d
        for i in range(d):
            s = 0.0
            for j in range(i + 1, d):
                s += icf[ik, p] * vr[j]
                p += 1
            g_means[ik, i] += s
        for j in range(d):
            q = qd[ik, j]
            g_icf[ik, j] = W[ik] - q * A[ik, j] + g2 * q * q - wishart_m
        for p in range(d, icf_sz):
            g_icf[ik, p] = -A[ik, p] + g2 * icf[ik, p]
    return g_alphas, g_means, g_icf


@numba.njit(cache=False, error_model="numpy")
def gmm_grad_hand(alphas, means, icf, x, wishart_gamma, wishart_m):
    """Adjoint of gmm_objective w.r.t. (alphas, means, icf), vectorized over the components.

    The same accumulations as gmm_grad_adjoint, but with the parameters
    transposed so that the component index is the innermost, contiguous one:
    every innermost loop runs over the K components with no loop-carried
    value, and LLVM vectorizes it (with error_model="numpy", as srcad's
    generated code uses; Python's division check would prevent it).  Faster
    than the primal, whose innermost loops are short serial sums over d.
    """
    n = x.shape[0]
    d = x.shape[1]
    k = alphas.shape[0]
    icf_sz = icf.shape[1]
    icft = np.ascontiguousarray(icf.T)          # (icf_sz, K)
    mt = np.ascontiguousarray(means.T)          # (d, K)
    qd = np.exp(icft[:d])                       # (d, K) diagonal of L
    base = alphas.copy()                        # alphas + sum_qs
    for j in range(d):
        qr = icft[j]
        for ik in range(k):
            base[ik] += qr[ik]
    xc = np.empty((d, k))
    y = np.empty((d, k))
    w = np.empty(k)
    V = np.zeros((d, k))
    A = np.zeros((icf_sz, k))
    W = np.zeros(k)
    for ix in range(n):
        # xc = x - means, y = L xc (one column of L at a time), for all K at once
        for i in range(d):
            xv = x[ix, i]
            xr = xc[i]
            mr = mt[i]
            yr = y[i]
            qr = qd[i]
            for ik in range(k):
                v = xv - mr[ik]
                xr[ik] = v
                yr[ik] = qr[ik] * v
        p = d
        for i in range(d):
            xr = xc[i]
            for j in range(i + 1, d):
                yr = y[j]
                lr = icft[p]
                for ik in range(k):
                    yr[ik] += lr[ik] * xr[ik]
                p += 1
        for ik in range(k):
            w[ik] = 0.0
        for j in range(d):
            yr = y[j]
            for ik in range(k):
                w[ik] += yr[ik] * yr[ik]
        # responsibilities w = softmax(main)
        mx = -np.inf
        for ik in range(k):
            m = base[ik] - 0.5 * w[ik]
            w[ik] = m
            if m > mx:
                mx = m
        se = 0.0
        for ik in range(k):
            e = math.exp(w[ik] - mx)
            w[ik] = e
            se += e
        inv = 1.0 / se
        for ik in range(k):
            w[ik] *= inv
            W[ik] += w[ik]
        # accumulate V += w y, A += w y xc^T (lower triangle)
        for j in range(d):
            yr = y[j]
            vr = V[j]
            ar = A[j]
            xr = xc[j]
            for ik in range(k):
                wy = w[ik] * yr[ik]
                yr[ik] = wy
                vr[ik] += wy
                ar[ik] += wy * xr[ik]
        p = d
        for i in range(d):
            xr = xc[i]
            for j in range(i + 1, d):
                yr = y[j]
                ar = A[p]
                for ik in range(k):
                    ar[ik] += yr[ik] * xr[ik]
                p += 1

    g_alphas = np.empty(k)
    g_means = np.empty((k, d))
    g_icf = np.empty((k, icf_sz))
    amx = -np.inf
    for ik in range(k):
        if alphas[ik] > amx:
            amx = alphas[ik]
    sa = 0.0
    for ik in range(k):
        sa += math.exp(alphas[ik] - amx)
    g2 = wishart_gamma * wishart_gamma
    for ik in range(k):
        g_alphas[ik] = W[ik] - n * math.exp(alphas[ik] - amx) / sa
        for i in range(d):
            g_means[ik, i] = qd[i, ik] * V[i, ik]
        p = d
        for i in range(d):
            s = 0.0
            for j in range(i + 1, d):
                s += icf[ik, p] * V[j, ik]
                p += 1
            g_means[ik, i] += s
        for j in range(d):
            q = qd[j, ik]
            g_icf[ik, j] = W[ik] - q * A[j, ik] + g2 * q * q - wishart_m
        for p in range(d, icf_sz):
            g_icf[ik, p] = -A[p, ik] + g2 * icf[ik, p]
    return g_alphas, g_means, g_icf


def gmm_args(d=GMM_D, k=GMM_K, n=GMM_N, seed=0):
    """(alphas, means, icf, x, wishart_gamma, wishart_m): standard-normal alphas, icf and points, uniform means."""
    rng = np.random.default_rng(seed)
    alphas = rng.standard_normal(k)
    means = rng.uniform(0.0, 1.0, (k, d))
    icf = rng.standard_normal((k, d * (d + 1) // 2))
    x = rng.standard_normal((n, d))
    return (alphas, means, icf, x, 1.0, 0)


# --------------------------------------------------------------------------
# LSTM objective (ADBench)
# --------------------------------------------------------------------------
#
# ADBench's LSTM has diagonal weights: every gate of unit i sees only
# element i of its input and of its hidden state, so the units are coupled
# only through the log-softmax of the prediction.  main_params (2 l, 4 b):
# row 2 i holds the weights of layer i (forget, input, output gate, change;
# b each), row 2 i + 1 their biases.  extra_params (3, b): input weight,
# output weight, output bias.  state (2 l, b): row 2 i the hidden state of
# layer i, row 2 i + 1 its cell state; the caller's state is not modified.
# sequence (c, b): one character per row; each character predicts the next.
# As in ADBench the "logsumexp" of the prediction is log(sum(exp(y)) + 2).

LSTM_LAYERS = 2
LSTM_HIDDEN = 14
LSTM_CHARS = 1024


def lstm_objective(main_params, extra_params, state, sequence):
    n_layers = main_params.shape[0] // 2
    b = state.shape[1]
    c = sequence.shape[0]
    s = state.copy()
    y = np.empty(b)
    total = 0.0
    count = 0
    for t in range(c - 1):
        for i in range(b):
            y[i] = sequence[t, i] * extra_params[0, i]
        for layer in range(n_layers):
            w = 2 * layer
            for i in range(b):
                forget = 1.0 / (1.0 + math.exp(-(y[i] * main_params[w, i] + main_params[w + 1, i])))
                ingate = 1.0 / (1.0 + math.exp(-(s[w, i] * main_params[w, b + i]
                                                 + main_params[w + 1, b + i])))
                outgate = 1.0 / (1.0 + math.exp(-(y[i] * main_params[w, 2 * b + i]
                                                  + main_params[w + 1, 2 * b + i])))
                change = math.tanh(s[w, i] * main_params[w, 3 * b + i] + main_params[w + 1, 3 * b + i])
                s[w + 1, i] = s[w + 1, i] * forget + ingate * change
                s[w, i] = outgate * math.tanh(s[w + 1, i])
                y[i] = s[w, i]
        for i in range(b):
            y[i] = y[i] * extra_params[1, i] + extra_params[2, i]
        lse = np.log(np.sum(np.exp(y)) + 2.0)
        for i in range(b):
            total += sequence[t + 1, i] * (y[i] - lse)
        count += b
    return -total / count


@numba.njit(cache=False)
def lstm_grad_hand(main_params, extra_params, state, sequence):
    """Adjoint of lstm_objective w.r.t. (main_params, extra_params): backpropagation through time.

    Forward sweep: run the model, storing for every step, layer and unit the
    layer input, the previous hidden and cell state, the four gate values and
    tanh of the new cell state (a (c-1, l, 8, b) array), and the exponentials
    of the prediction.  Reverse sweep: from the last step to the first, pull
    the adjoint of the prediction back through the output layer and the
    layers from top to bottom; the adjoints of each layer's hidden and cell
    state are carried to the step before.
    """
    n_layers = main_params.shape[0] // 2
    b = state.shape[1]
    c = sequence.shape[0]
    steps = c - 1
    tape = np.empty((steps, n_layers, 8, b))
    ey = np.empty((steps, b))
    sexp = np.empty(steps)
    h = state.copy()          # rows 2 l: hidden, 2 l + 1: cell
    y = np.empty(b)
    total = 0.0
    for t in range(steps):
        for i in range(b):
            y[i] = sequence[t, i] * extra_params[0, i]
        for layer in range(n_layers):
            w = 2 * layer
            r = tape[t, layer]
            for i in range(b):
                xi = y[i]
                hp = h[w, i]
                cp = h[w + 1, i]
                f = 1.0 / (1.0 + math.exp(-(xi * main_params[w, i] + main_params[w + 1, i])))
                ig = 1.0 / (1.0 + math.exp(-(hp * main_params[w, b + i] + main_params[w + 1, b + i])))
                og = 1.0 / (1.0 + math.exp(-(xi * main_params[w, 2 * b + i] + main_params[w + 1, 2 * b + i])))
                ch = math.tanh(hp * main_params[w, 3 * b + i] + main_params[w + 1, 3 * b + i])
                cn = cp * f + ig * ch
                tc = math.tanh(cn)
                hn = og * tc
                r[0, i] = xi
                r[1, i] = hp
                r[2, i] = cp
                r[3, i] = f
                r[4, i] = ig
                r[5, i] = og
                r[6, i] = ch
                r[7, i] = tc
                h[w, i] = hn
                h[w + 1, i] = cn
                y[i] = hn
        se = 0.0
        for i in range(b):
            yi = y[i] * extra_params[1, i] + extra_params[2, i]
            e = math.exp(yi)
            ey[t, i] = e
            se += e
            y[i] = yi
        se += 2.0
        sexp[t] = se
        lse = math.log(se)
        for i in range(b):
            total += sequence[t + 1, i] * (y[i] - lse)

    g_main = np.zeros((2 * n_layers, 4 * b))
    g_extra = np.zeros((3, b))
    hb = np.zeros((n_layers, b))     # adjoint of each layer's hidden state, carried back in time
    cb = np.zeros((n_layers, b))     # adjoint of each layer's cell state
    xb = np.empty(b)
    tb = -1.0 / (steps * b)          # adjoint of total
    for t in range(steps - 1, -1, -1):
        # total += sum_i g_i (y_i - log(sum exp(y) + 2))
        gs = 0.0
        for i in range(b):
            gs += sequence[t + 1, i]
        scale = gs / sexp[t]
        top = tape[t, n_layers - 1]
        for i in range(b):
            yb = tb * (sequence[t + 1, i] - scale * ey[t, i])
            # y = h_top * out_weight + out_bias
            g_extra[1, i] += yb * top[5, i] * top[7, i]
            g_extra[2, i] += yb
            xb[i] = yb * extra_params[1, i]
        for layer in range(n_layers - 1, -1, -1):
            w = 2 * layer
            r = tape[t, layer]
            for i in range(b):
                xi = r[0, i]
                hp = r[1, i]
                cp = r[2, i]
                f = r[3, i]
                ig = r[4, i]
                og = r[5, i]
                ch = r[6, i]
                tc = r[7, i]
                hnb = hb[layer, i] + xb[i]
                # h = og tanh(c)
                ogb = hnb * tc
                cnb = cb[layer, i] + hnb * og * (1.0 - tc * tc)
                # c = cp f + ig ch
                fb = cnb * cp
                igb = cnb * ch
                chb = cnb * ig
                zf = fb * f * (1.0 - f)
                zi = igb * ig * (1.0 - ig)
                zo = ogb * og * (1.0 - og)
                zc = chb * (1.0 - ch * ch)
                g_main[w, i] += zf * xi
                g_main[w + 1, i] += zf
                g_main[w, b + i] += zi * hp
                g_main[w + 1, b + i] += zi
                g_main[w, 2 * b + i] += zo * xi
                g_main[w + 1, 2 * b + i] += zo
                g_main[w, 3 * b + i] += zc * hp
                g_main[w + 1, 3 * b + i] += zc
                hb[layer, i] = zi * main_params[w, b + i] + zc * main_params[w, 3 * b + i]
                cb[layer, i] = cnb * f
                xb[i] = zf * main_params[w, i] + zo * main_params[w, 2 * b + i]
        # layer 0 input = sequence[t] * in_weight
        for i in range(b):
            g_extra[0, i] += xb[i] * sequence[t, i]
    return g_main, g_extra


def lstm_args(layers=LSTM_LAYERS, b=LSTM_HIDDEN, c=LSTM_CHARS, seed=0):
    """(main_params, extra_params, state, sequence): uniform(-1, 1) parameters and state, one-hot characters."""
    rng = np.random.default_rng(seed)
    main_params = rng.uniform(-1.0, 1.0, (2 * layers, 4 * b))
    extra_params = rng.uniform(-1.0, 1.0, (3, b))
    state = rng.uniform(-1.0, 1.0, (2 * layers, b))
    sequence = np.zeros((c, b))
    sequence[np.arange(c), rng.integers(0, b, c)] = 1.0
    return (main_params, extra_params, state, sequence)


# --------------------------------------------------------------------------
# Lennard-Jones energy of N particles
# --------------------------------------------------------------------------
#
# E = 4 epsilon sum_{i<j} ((sigma / r_ij)^12 - (sigma / r_ij)^6), every pair,
# no cutoff, no periodic box.  The particles sit on a cubic lattice of
# spacing 1.1 (close to the pair minimum 2^(1/6) sigma = 1.12) with a uniform
# jitter of +-0.05 per coordinate, so no two are closer than about 0.93.

LJ_SIDE = 10          # 10^3 = 1000 particles
LJ_SPACING = 1.1
LJ_JITTER = 0.05


def lj_energy(pos, epsilon, sigma):
    n = pos.shape[0]
    s2 = sigma * sigma
    e = 0.0
    for i in range(n - 1):
        xi = pos[i, 0]
        yi = pos[i, 1]
        zi = pos[i, 2]
        for j in range(i + 1, n):
            dx = xi - pos[j, 0]
            dy = yi - pos[j, 1]
            dz = zi - pos[j, 2]
            r2 = dx * dx + dy * dy + dz * dz
            sr6 = (s2 / r2) ** 3
            e += sr6 * sr6 - sr6
    return 4.0 * epsilon * e


@numba.njit(cache=False)
def lj_grad_adjoint(pos, epsilon, sigma):
    """d lj_energy / d pos (the forces are its negative) in the loop order of the primal.

    With u = (sigma^2 / r^2)^3 the pair energy 4 eps (u^2 - u) has
    dE/d(r^2) = 12 eps u (1 - 2 u) / r^2, so particle i gets
    24 eps u (1 - 2 u) / r^2 (x_i - x_j) and particle j its negative; each
    pair is visited once.  The coordinates are first copied into three
    contiguous arrays.  The sums for particle i are serial chains, so LLVM
    does not vectorize the pair loop.
    """
    n = pos.shape[0]
    px = np.empty(n)
    py = np.empty(n)
    pz = np.empty(n)
    for i in range(n):
        px[i] = pos[i, 0]
        py[i] = pos[i, 1]
        pz[i] = pos[i, 2]
    gx = np.zeros(n)
    gy = np.zeros(n)
    gz = np.zeros(n)
    s2 = sigma * sigma
    c24 = 24.0 * epsilon
    for i in range(n - 1):
        xi = px[i]
        yi = py[i]
        zi = pz[i]
        ax = 0.0
        ay = 0.0
        az = 0.0
        for j in range(i + 1, n):
            dx = xi - px[j]
            dy = yi - py[j]
            dz = zi - pz[j]
            inv = 1.0 / (dx * dx + dy * dy + dz * dz)
            t = s2 * inv
            u = t * t * t
            coef = c24 * u * (1.0 - 2.0 * u) * inv
            fx = coef * dx
            fy = coef * dy
            fz = coef * dz
            ax += fx
            ay += fy
            az += fz
            gx[j] -= fx
            gy[j] -= fy
            gz[j] -= fz
        gx[i] += ax
        gy[i] += ay
        gz[i] += az
    g = np.empty((n, 3))
    for i in range(n):
        g[i, 0] = gx[i]
        g[i, 1] = gy[i]
        g[i, 2] = gz[i]
    return g


@numba.njit(cache=False, error_model="numpy")
def lj_grad_hand(pos, epsilon, sigma):
    """d lj_energy / d pos, the pair loop vectorized.

    As lj_grad_adjoint, but the pair loop for particle i writes the pair
    forces into scratch arrays instead of summing them (no loop-carried
    value: LLVM vectorizes it, given error_model="numpy"); they are summed
    afterwards with four partial sums per coordinate.  Faster than the
    primal, whose energy sum is one serial chain.
    """
    n = pos.shape[0]
    px = np.empty(n)
    py = np.empty(n)
    pz = np.empty(n)
    for i in range(n):
        px[i] = pos[i, 0]
        py[i] = pos[i, 1]
        pz[i] = pos[i, 2]
    gx = np.zeros(n)
    gy = np.zeros(n)
    gz = np.zeros(n)
    fx = np.empty(n)
    fy = np.empty(n)
    fz = np.empty(n)
    s2 = sigma * sigma
    c24 = 24.0 * epsilon
    for i in range(n - 1):
        xi = px[i]
        yi = py[i]
        zi = pz[i]
        m = n - i - 1
        qx = px[i + 1:]
        qy = py[i + 1:]
        qz = pz[i + 1:]
        hx = gx[i + 1:]
        hy = gy[i + 1:]
        hz = gz[i + 1:]
        for j in range(m):
            dx = xi - qx[j]
            dy = yi - qy[j]
            dz = zi - qz[j]
            inv = 1.0 / (dx * dx + dy * dy + dz * dz)
            t = s2 * inv
            u = t * t * t
            coef = c24 * u * (1.0 - 2.0 * u) * inv
            a = coef * dx
            b = coef * dy
            c = coef * dz
            fx[j] = a
            fy[j] = b
            fz[j] = c
            hx[j] -= a
            hy[j] -= b
            hz[j] -= c
        a0 = a1 = a2 = a3 = 0.0
        b0 = b1 = b2 = b3 = 0.0
        c0 = c1 = c2 = c3 = 0.0
        j = 0
        while j + 3 < m:
            a0 += fx[j]
            a1 += fx[j + 1]
            a2 += fx[j + 2]
            a3 += fx[j + 3]
            b0 += fy[j]
            b1 += fy[j + 1]
            b2 += fy[j + 2]
            b3 += fy[j + 3]
            c0 += fz[j]
            c1 += fz[j + 1]
            c2 += fz[j + 2]
            c3 += fz[j + 3]
            j += 4
        while j < m:
            a0 += fx[j]
            b0 += fy[j]
            c0 += fz[j]
            j += 1
        gx[i] += (a0 + a1) + (a2 + a3)
        gy[i] += (b0 + b1) + (b2 + b3)
        gz[i] += (c0 + c1) + (c2 + c3)
    g = np.empty((n, 3))
    for i in range(n):
        g[i, 0] = gx[i]
        g[i, 1] = gy[i]
        g[i, 2] = gz[i]
    return g


def lj_args(side=LJ_SIDE, spacing=LJ_SPACING, jitter=LJ_JITTER, seed=0):
    """(positions (side^3, 3), epsilon = 1, sigma = 1) on a jittered cubic lattice."""
    rng = np.random.default_rng(seed)
    r = np.arange(side) * spacing
    grid = np.stack(np.meshgrid(r, r, r, indexing="ij"), axis=-1).reshape(-1, 3)
    pos = grid + rng.uniform(-jitter, jitter, grid.shape)
    return (np.ascontiguousarray(pos), 1.0, 1.0)


# --------------------------------------------------------------------------
# Registry used by bench_arrays.py
# --------------------------------------------------------------------------

PROBLEMS = {
    "gmm": dict(
        func=gmm_objective,
        hand=gmm_grad_hand,
        args=gmm_args,
        wrt=(0, 1, 2),
        description=(f"GMM objective (ADBench), d = {GMM_D}, K = {GMM_K}, N = {GMM_N}, "
                     "Wishart gamma = 1, m = 0; d/d(alphas, means, icf)"),
    ),
    "gmm_vs_adjoint": dict(
        func=gmm_objective,
        hand=gmm_grad_adjoint,
        args=gmm_args,
        wrt=(0, 1, 2),
        description=("the same GMM, against a hand-written adjoint in the primal's loop order instead "
                     "of the one vectorized over the components"),
    ),
    "lstm": dict(
        func=lstm_objective,
        hand=lstm_grad_hand,
        args=lstm_args,
        wrt=(0, 1),
        description=(f"LSTM objective (ADBench), {LSTM_LAYERS} layers, hidden size {LSTM_HIDDEN}, "
                     f"{LSTM_CHARS} characters; d/d(main_params, extra_params)"),
    ),
    "lennard_jones": dict(
        func=lj_energy,
        hand=lj_grad_hand,
        args=lj_args,
        wrt=0,
        description=(f"Lennard-Jones energy, {LJ_SIDE ** 3} particles in 3-D, all pairs, "
                     "epsilon = sigma = 1; d/d(positions)"),
    ),
    "lennard_jones_vs_adjoint": dict(
        func=lj_energy,
        hand=lj_grad_adjoint,
        args=lj_args,
        wrt=0,
        description=("the same Lennard-Jones energy, against a hand-written adjoint in the primal's loop "
                     "order instead of the vectorized pair loop"),
    ),
}


# --------------------------------------------------------------------------
# Self-check against central finite differences
# --------------------------------------------------------------------------

def _as_tuple(g):
    return tuple(g) if isinstance(g, tuple) else (g,)


def _central_difference(f, args, index, flat, eps):
    """Central difference of f w.r.t. element ``flat`` (flat index) of the array args[index]."""
    plus = list(args)
    minus = list(args)
    plus[index] = args[index].copy()
    minus[index] = args[index].copy()
    h = eps * max(1.0, abs(args[index].flat[flat]))
    plus[index].flat[flat] += h
    minus[index].flat[flat] -= h
    return (f(*plus) - f(*minus)) / (2.0 * h)


def _components(size, max_components):
    if size <= max_components:
        return list(range(size))
    step = max(1, size // max_components)
    return sorted(set(range(0, size, step)) | {0, 1, size - 2, size - 1})


def selfcheck(verbose=True, rtol=1e-6):
    """Compare every hand-written gradient with central finite differences.

    Small instances, every component; then the benchmark sizes, a sample of
    components.  The error of a component is |hand - fd| / max(1, |fd|).
    Raises AssertionError on a mismatch; returns True otherwise.
    """
    checks = [
        # name, problem, args, components per argument (None: all), relative
        # step, tolerance.  At the benchmark sizes the sums are long and large
        # (GMM ~1e4 in magnitude): rounding limits the difference to ~1e-6.
        ("gmm d=3 K=4 N=20", "gmm", gmm_args(d=3, k=4, n=20, seed=1), None, 1e-6, rtol),
        ("gmm m=2 gamma=0.7", "gmm", gmm_args(d=3, k=4, n=20, seed=2)[:4] + (0.7, 2), None, 1e-6, rtol),
        ("gmm benchmark size", "gmm", gmm_args(), 12, 1e-4, 1e-5),
        ("lstm l=2 b=4 c=8", "lstm", lstm_args(layers=2, b=4, c=8, seed=1), None, 1e-6, rtol),
        ("lstm l=3 b=5 c=30", "lstm", lstm_args(layers=3, b=5, c=30, seed=2), None, 1e-6, rtol),
        ("lstm benchmark size", "lstm", lstm_args(), 12, 1e-5, 1e-5),
        ("lj 27 particles", "lennard_jones", lj_args(side=3, seed=1), None, 1e-6, rtol),
        ("lj eps=0.5 sigma=0.9", "lennard_jones", lj_args(side=3, seed=2)[:1] + (0.5, 0.9), None, 1e-6, rtol),
        ("lj benchmark size", "lennard_jones", lj_args(), 12, 1e-6, 1e-5),
    ]
    primal_cache = {}
    for name, problem, args, max_components, eps, tol in checks:
        func = PROBLEMS[problem]["func"]
        fj = primal_cache.setdefault(problem, numba.njit(func))
        # every hand-written gradient of this function (the variants included)
        for variant, spec in PROBLEMS.items():
            if spec["func"] is not func:
                continue
            grads = _as_tuple(spec["hand"](*args))
            wrt = spec["wrt"] if isinstance(spec["wrt"], tuple) else (spec["wrt"],)
            worst = 0.0
            for g, index in zip(grads, wrt):
                assert g.shape == args[index].shape, \
                    f"{name}, {variant}: gradient shape {g.shape} != {args[index].shape}"
                for flat in _components(g.size, max_components or g.size):
                    fd = _central_difference(fj, args, index, flat, eps)
                    err = abs(g.flat[flat] - fd) / max(1.0, abs(fd))
                    worst = max(worst, err)
                    assert err < tol, (f"{name}, {variant}: d/d arg{index}"
                                       f"[{np.unravel_index(flat, g.shape)}] hand {g.flat[flat]!r} vs fd {fd!r}")
            if verbose:
                print(f"selfcheck {name:22s} {spec['hand'].__name__:17s} ok "
                      f"(max rel. error vs central differences {worst:.1e})")
    return True


if __name__ == "__main__":
    selfcheck()
    for pname, pspec in PROBLEMS.items():
        print(f"{pname}: f = {numba.njit(pspec['func'])(*pspec['args']())!r}")

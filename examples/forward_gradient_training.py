"""Training a small MLP with forward gradients and with ordinary gradients.

The network (a tanh layer, a ReLU layer, a linear layer and a softmax
cross-entropy over a batch) is written as plain loops, the way one writes for
Numba.  Two runs of plain SGD start from the same weights on the same
synthetic data (Gaussian clusters, one per class):

* forward gradients, ``srcad.forward_grad``: the unbiased estimate
  ``(grad L . v) v`` of the gradient from one tangent sweep along a random
  ``v ~ N(0, I)`` (Baydin et al., "Gradients without backpropagation", 2022);
* ordinary gradients, ``srcad.grad``: one reverse sweep.

Both losses must decrease.  The forward gradient's noise grows with the number
of weights, so it needs a smaller step and many more steps than the exact
gradient; the script prints the loss over the whole data set against the wall
time spent in gradient steps, and saves the curves as a PNG when matplotlib is
installed.

    python3 examples/forward_gradient_training.py            # about 3 s of training
    python3 examples/forward_gradient_training.py --seconds 20
"""

import argparse
import math
import os
import time

import numba
import numpy as np

import srcad

SIZES = (8, 32, 32, 4)   # inputs, the two hidden layers, classes
WEIGHTS = (0, 1, 2, 3, 4, 5)   # the positions of the weights among mlp_loss's arguments


@numba.njit
def dense_tanh(inputs, weights, bias):
    """tanh(inputs @ weights + bias), one row of ``inputs`` per example."""
    out = np.empty((inputs.shape[0], weights.shape[1]))
    for n in range(inputs.shape[0]):
        for j in range(weights.shape[1]):
            s = bias[j]
            for i in range(weights.shape[0]):
                s += inputs[n, i] * weights[i, j]
            out[n, j] = math.tanh(s)
    return out


@numba.njit
def dense_relu(inputs, weights, bias):
    """max(inputs @ weights + bias, 0)."""
    out = np.empty((inputs.shape[0], weights.shape[1]))
    for n in range(inputs.shape[0]):
        for j in range(weights.shape[1]):
            s = bias[j]
            for i in range(weights.shape[0]):
                s += inputs[n, i] * weights[i, j]
            out[n, j] = max(s, 0.0)
    return out


@numba.njit
def mlp_loss(w1, b1, w2, b2, w3, b3, inputs, labels):
    """Mean softmax cross-entropy of the MLP's logits against the integer ``labels``."""
    h1 = dense_tanh(inputs, w1, b1)
    h2 = dense_relu(h1, w2, b2)
    loss = 0.0
    logits = np.empty(w3.shape[1])
    for n in range(inputs.shape[0]):
        for c in range(w3.shape[1]):
            s = b3[c]
            for i in range(w3.shape[0]):
                s += h2[n, i] * w3[i, c]
            logits[c] = s
        largest = logits[0]
        for c in range(1, w3.shape[1]):
            if logits[c] > largest:
                largest = logits[c]
        total = 0.0
        for c in range(w3.shape[1]):
            total += math.exp(logits[c] - largest)
        loss += largest + math.log(total) - logits[labels[n]]
    return loss / inputs.shape[0]


def initial_weights(sizes=SIZES, seed=0):
    """(w1, b1, w2, b2, w3, b3): Gaussian weights scaled by 1/sqrt(fan-in), zero biases."""
    rng = np.random.default_rng(seed)
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        weights += [rng.standard_normal((fan_in, fan_out)) / math.sqrt(fan_in), np.zeros(fan_out)]
    return tuple(weights)


def make_data(count=512, sizes=SIZES, seed=1):
    """``count`` points around one random centre per class, and their integer labels."""
    rng = np.random.default_rng(seed)
    centres = 1.5 * rng.standard_normal((sizes[-1], sizes[0]))
    labels = rng.integers(0, sizes[-1], count)
    inputs = centres[labels] + rng.standard_normal((count, sizes[0]))
    return inputs, labels.astype(np.int64)


def train(gradient, weights, inputs, labels, learning_rate, seconds, batch=32, seed=2, every=0.1, min_steps=50):
    """Plain SGD with ``gradient(*weights, batch_inputs, batch_labels)`` for ``seconds`` of gradient steps
    (and at least ``min_steps`` steps, which matters only when Numba's compiler is disabled).

    Returns the weights and the history ``[(seconds spent in steps, loss on all the data, steps)]``,
    taken about every ``every`` seconds; evaluating the loss is not counted as time.
    """
    rng = np.random.default_rng(seed)
    weights = [w.copy() for w in weights]
    history = [(0.0, mlp_loss(*weights, inputs, labels), 0)]
    spent, steps = 0.0, 0
    while spent < seconds or steps < min_steps:
        start = time.perf_counter()
        stop = start + every
        while time.perf_counter() < stop:
            chosen = rng.integers(0, inputs.shape[0], batch)
            for w, g in zip(weights, gradient(*weights, inputs[chosen], labels[chosen])):
                w -= learning_rate * g
            steps += 1
        spent += time.perf_counter() - start
        history.append((spent, mlp_loss(*weights, inputs, labels), steps))
    return weights, history


def plot(histories, path):
    """Loss against wall time, one line per method, saved as ``path`` (only when matplotlib is installed)."""
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 4))
    for label, history in histories.items():
        axes.plot([h[0] for h in history], [h[1] for h in history], label=label)
    axes.set_xlabel("wall time in gradient steps (s)")
    axes.set_ylabel("cross-entropy on all the data")
    axes.set_yscale("log")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path


def main(seconds=0.5, png=None):
    """Train with both methods for ``seconds`` each; plot to the file ``png`` when given."""
    inputs, labels = make_data()
    weights = initial_weights()
    count = sum(w.size for w in weights)
    methods = {
        "forward gradient": (srcad.forward_grad(mlp_loss, wrt=WEIGHTS, seed=3), 2e-3),
        "gradient (reverse mode)": (srcad.grad(mlp_loss, wrt=WEIGHTS), 0.1),
    }
    for gradient, _ in methods.values():   # compile both before the clock starts
        gradient(*weights, inputs[:2], labels[:2])
    histories = {}
    print(f"MLP {' -> '.join(map(str, SIZES))} ({count} weights), {inputs.shape[0]} points, batch 32, plain SGD")
    for label, (gradient, learning_rate) in methods.items():
        _, history = train(gradient, weights, inputs, labels, learning_rate, seconds)
        histories[label] = history
        print(f"\n{label} (learning rate {learning_rate:g}):")
        print("   time (s)    steps    loss")
        shown = history[:: max(1, len(history) // 5)]
        for spent, loss, steps in shown + ([history[-1]] if shown[-1] is not history[-1] else []):
            print(f"   {spent:8.2f} {steps:8d}  {loss:.4f}")
        assert history[-1][1] < 0.95 * history[0][1], f"{label}: the loss did not decrease"
    if png and plot(histories, png):
        print(f"\nplot: {png}")
    return histories


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="training time of each method")
    parser.add_argument("--png", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                      "forward_gradient_training.png"),
                        help="where to save the plot, when matplotlib is installed (default: beside this script)")
    arguments = parser.parse_args()
    main(arguments.seconds, arguments.png)

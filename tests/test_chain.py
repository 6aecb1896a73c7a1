"""Jacobians of chains of the user's functions: every bracketing and mode gives the whole function's Jacobian."""

import numpy as np
import pytest

import srcad
from srcad.analysis.chain import find_chain
from srcad.chain import ChainJacobian, NotAChainCall, STRATEGIES, chain_for, dense_orders, plan_chain, sweep_jacobian
from srcad.frontend import read_function

import examples_chain as ex

RNG = np.random.default_rng(7)


def _layer(n_out, n_in):
    return RNG.normal(size=(n_out, n_in)) / np.sqrt(n_in), RNG.normal(size=n_out) * 0.1


W1, B1 = _layer(5, 3)
W2, B2 = _layer(2, 5)
W3, B3 = _layer(4, 2)
W4, B4 = _layer(3, 4)
X = RNG.normal(size=3)

CASES = {
    "two_layers": (ex.two_layers, (X, W1, B1, W2, B2), 0),
    "three_layers": (ex.three_layers, (X, W1, B1, W2[:, :5], B2, 0.7), 0),
    "four_layers": (ex.four_layers, (X, W1, B1, W2, B2, W3, B3, W4, B4), 0),
    "to_scalar": (ex.to_scalar, (X, W1, B1, W2, B2), 0),
    "weights_second": (ex.weights_second, (W1, X, B1, W2, B2), 1),
    "wrt_a_matrix": (ex.two_layers, (X, W1, B1, W2, B2), 1),
    "keywords_and_defaults": (ex.keywords_and_defaults, (X, W1, B1), 0),
    "writes_into_a_copy": (ex.writes_into_a_copy, (X, W1, B1, W2, B2), 0),
}


def fd_jacobian(f, args, wrt, h=2.0 ** -14):
    """The Jacobian of ``f`` by the fourth-order central stencil, shaped out.shape + in.shape."""
    x = np.asarray(args[wrt], dtype=np.float64)

    def at(point):
        moved = list(args)
        moved[wrt] = point
        return np.asarray(f(*moved), dtype=np.float64)

    columns = []
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = h
        e = e.reshape(x.shape)
        columns.append((at(x - 2 * e) - 8 * at(x - e) + 8 * at(x + e) - at(x + 2 * e)) / (12 * h))
    out = np.stack(columns, axis=-1)
    return out.reshape(out.shape[:-1] + x.shape)


def _counted_costs(func, args, wrt):
    """Per-layer sweep costs in multiplications (the widths' product), for plans that do not depend on timing."""
    chained = ChainJacobian(func, wrt)
    _, shapes, _ = chained.values(chained.bind(args)[1])
    widths = [int(np.prod(s)) if s else 1 for s in shapes]
    costs = [float(a * b) for a, b in zip(widths, widths[1:])]
    return costs, costs


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_strategy_equals_finite_differences_and_the_whole_function(name):
    func, args, wrt = CASES[name]
    assert find_chain(read_function(func), wrt) is not None
    expected = fd_jacobian(func, args, wrt)
    costs = _counted_costs(func, args, wrt)
    results = {}
    for strategy in STRATEGIES:
        J = srcad.chain_jacobian(func, wrt=wrt, strategy=strategy, costs=costs)
        results[strategy] = J(*args)
        assert J.plan is not None and J.plan.strategy == strategy
        np.testing.assert_allclose(results[strategy], expected, rtol=1e-7, atol=1e-9, err_msg=strategy)
    for strategy, result in results.items():
        np.testing.assert_allclose(result, results["auto"], rtol=1e-12, atol=1e-14, err_msg=strategy)
    value = func(*args)
    assert results["auto"].shape == np.shape(value) + np.shape(args[wrt])


def test_the_chain_equals_pure_forward_and_reverse_of_the_whole_function():
    func, args, wrt = CASES["four_layers"]
    chained = srcad.chain_jacobian(func, costs=_counted_costs(func, args, wrt))(*args)
    n = X.size
    value, _ = srcad.jvp(func)(*args, np.zeros(n))
    forward = np.stack([srcad.jvp(func)(*args, e)[1] for e in np.eye(n)], axis=1)
    reverse = np.stack([srcad.vjp(func)(*args, e)[1] for e in np.eye(value.size)])
    np.testing.assert_allclose(chained, forward, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(chained, reverse, rtol=1e-12, atol=1e-14)


def test_measured_costs_make_a_plan_and_explain_shows_it():
    func, args, wrt = CASES["three_layers"]
    J = srcad.chain_jacobian(func)
    np.testing.assert_allclose(J(*args), fd_jacobian(func, args, wrt), rtol=1e-7, atol=1e-9)
    text = J.explain()
    assert J.plan.measured
    assert "chain of 3 layers: x (3) -> dense_tanh -> 5 -> scale -> 5 -> dense_tanh -> 2" in text
    assert J.plan.bracketing in text and "forward-only" in text and "reverse-only" in text
    assert set(J.plan.modes()) == {"J1", "J2", "J3"}


def test_a_plan_that_sweeps_the_whole_function_is_reused_without_intermediate_values():
    func, args, wrt = CASES["four_layers"]
    tangent, adjoint = _counted_costs(func, args, wrt)
    whole = (3 * 0.5 * sum(tangent), 3 * 0.5 * sum(adjoint))   # the inlined sweeps are cheaper than the layers'
    J = srcad.chain_jacobian(func, costs=(tangent, adjoint, whole))
    first = J(*args)
    assert J.plan.root.whole and J.plan.root.mode == "forward"   # 3 inputs, 3 outputs: a tie goes forward
    assert "the whole function" in J.explain()
    moved = (args[0] + 0.25,) + args[1:]
    np.testing.assert_allclose(J(*moved), fd_jacobian(func, moved, wrt), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(first, fd_jacobian(func, args, wrt), rtol=1e-7, atol=1e-9)


def test_factors_made_at_once_by_a_jacobian_maker():
    func, args, wrt = CASES["three_layers"]
    tangent, adjoint = _counted_costs(func, args, wrt)
    at_once = [(0.1 * t, 0.2 * a) for t, a in zip(tangent, adjoint)]   # cheaper than any sweeps
    J = ChainJacobian(func, wrt, costs=(tangent, adjoint, None, at_once), jacobians=sweep_jacobian)
    result = J(*args)
    assert all(run.via == "matrix" and run.mode == "forward" for run in J.plan.runs)
    assert J.plan.bracketing in ("J3 (J2 J1)", "(J3 J2) J1")
    np.testing.assert_allclose(result, fd_jacobian(func, args, wrt), rtol=1e-7, atol=1e-9)
    measured = ChainJacobian(func, wrt, jacobians=sweep_jacobian)
    np.testing.assert_allclose(measured(*args), result, rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------- the dynamic programme
def test_dense_chain_counts_and_optimal_bracketing():
    forward, reverse, optimal = dense_orders([8, 512, 8, 512, 8])
    assert (forward.bracketing, forward.multiplications) == ("J4 (J3 (J2 J1))", 3 * 8 * 512 * 8)
    assert (reverse.bracketing, reverse.multiplications) == ("((J4 J3) J2) J1", 3 * 8 * 512 * 8)
    assert (optimal.bracketing, optimal.multiplications) == ("(J4 J3) (J2 J1)", 2 * 8 * 512 * 8 + 8 * 8 * 8)
    # the textbook example A B C of 10x30, 30x5, 5x60 (J3 = A, J1 = C): (A B) C, 4500 multiplications
    assert dense_orders([60, 5, 30, 10])[2].multiplications == 4500
    assert dense_orders([60, 5, 30, 10])[2].bracketing == "(J3 J2) J1"


def test_dense_strategy_takes_the_optimal_bracketing_with_each_factor_in_its_cheap_mode():
    widths = [8, 512, 8, 512, 8]
    costs = [float(a * b) for a, b in zip(widths, widths[1:])]
    plan = plan_chain(widths, costs, costs, strategy="dense")
    assert plan.bracketing == "(J4 J3) (J2 J1)"
    assert plan.multiplications == 66048
    # J1 (512 x 8) and J3 have 8 inputs: forward; J2 and J4 have 8 outputs: reverse
    assert plan.modes() == {"J1": "forward", "J2": "reverse", "J3": "forward", "J4": "reverse"}


def test_auto_splits_a_bottleneck_and_takes_each_side_in_its_cheap_mode():
    widths = [256, 8, 256]
    costs = [256.0 * 8, 8.0 * 256]
    plan = plan_chain(widths, costs, costs)
    assert plan.bracketing == "J2 J1"
    assert plan.modes() == {"J1": "reverse", "J2": "forward"}
    assert plan.cost < min(plan.forward_cost, plan.reverse_cost) / 1.8


def test_auto_sweeps_the_whole_chain_when_its_ends_are_narrow():
    # with sweeps as cheap as a layer's matrix-vector product, 8 tangent sweeps through the
    # whole chain cost less than forming any factor: the middle widths do not matter
    widths = [8, 512, 8, 512, 8]
    costs = [float(a * b) for a, b in zip(widths, widths[1:])]
    plan = plan_chain(widths, costs, [2 * c for c in costs])
    assert plan.bracketing == "[J4 J3 J2 J1]" and plan.modes()["J1"] == "forward"
    assert plan.cost == plan.forward_cost


def test_auto_groups_runs_between_bottlenecks():
    widths = [64, 4, 64, 64, 4, 64]
    costs = [float(a * b) for a, b in zip(widths, widths[1:])]
    plan = plan_chain(widths, costs, costs)
    assert plan.cost < min(plan.forward_cost, plan.reverse_cost)
    assert plan.cost <= plan_chain(widths, costs, costs, strategy="dense").cost
    assert plan_chain(widths, costs, costs, strategy="forward").bracketing == "[J5 J4 J3 J2 J1]"


def test_a_bad_strategy_is_refused():
    with pytest.raises(srcad.SrcadError):
        plan_chain([2, 2], [1.0], [1.0], strategy="sideways")
    with pytest.raises(srcad.SrcadError):
        srcad.chain_jacobian(ex.two_layers, strategy="sideways")


# ---------------------------------------------------------------- not chains
@pytest.mark.parametrize("func", [
    ex.reuses_intermediate, ex.arithmetic_between, ex.library_call_in_chain, ex.intermediate_as_weight,
    ex.one_layer, ex.with_loop, ex.layer_writes_argument, ex.layer_writes_through_alias,
    ex.layer_writes_through_a_view,
])
def test_functions_that_are_not_chains_are_left_alone(func):
    assert find_chain(read_function(func), 0) is None
    assert not ChainJacobian(func, 0).is_chain


def test_a_chain_needs_two_layers_after_the_argument():
    # W1 goes through both layers (a chain, in CASES); W2 only through the last one
    assert find_chain(read_function(ex.two_layers), 1) is not None
    assert find_chain(read_function(ex.two_layers), 3) is None


def test_a_function_that_is_not_a_chain_gets_the_whole_jacobian():
    args = (X, W1, B1, W2, B2)
    J = srcad.chain_jacobian(ex.reuses_intermediate)
    np.testing.assert_allclose(J(*args), fd_jacobian(ex.reuses_intermediate, args, 0), rtol=1e-7, atol=1e-9)
    assert J.plan is None and J.explain() == ""


def test_the_hook_for_jacobian_auto():
    assert chain_for(ex.reuses_intermediate, 0) is None
    assert chain_for(ex.two_layers, (0, 1)) is None
    hook = chain_for(ex.two_layers, 0, jacobians=sweep_jacobian)
    args = (X, W1, B1, W2, B2)
    np.testing.assert_allclose(hook(*args), fd_jacobian(ex.two_layers, args, 0), rtol=1e-7, atol=1e-9)
    assert hook.explain().startswith("chain of 2 layers")
    with pytest.raises(NotAChainCall):
        hook(X.astype(np.float32).astype(np.int64), W1, B1, W2, B2)    # an integer input is no chain


def test_jacobian_auto_brackets_a_chain_and_explain_shows_the_plan():
    func, args, wrt = CASES["three_layers"]
    J = srcad.jacobian(func)
    np.testing.assert_allclose(J(*args), fd_jacobian(func, args, wrt), rtol=1e-7, atol=1e-9)
    text = srcad.explain(J)
    assert "a chain of its own functions" in text and "chain of 3 layers" in text
    assert "forward-only" in text and "reverse-only" in text


def test_jacobian_auto_of_a_function_that_is_not_a_chain_is_as_before():
    args = (X, W1, B1, W2, B2)
    J = srcad.jacobian(ex.reuses_intermediate)
    np.testing.assert_allclose(J(*args), fd_jacobian(ex.reuses_intermediate, args, 0), rtol=1e-7, atol=1e-9)
    assert "a chain of its own functions" not in srcad.explain(J)

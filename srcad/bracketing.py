"""Planning the products of a chain of Jacobians: the matrix-chain dynamic programme, mixed mode.

For a chain of layers with widths w_0 .. w_L, the Jacobian is the product
J_L ... J_1 with J_k = d h_k / d h_(k-1) a w_k x w_(k-1) matrix.  A run of
consecutive factors J_j ... J_(i+1) can be computed without forming its factors,
by sweeps through its layers: forward mode pushes the w_i columns of the identity
through the run (w_i tangent sweeps of each layer), reverse mode pulls the w_j
rows of the identity back (w_j adjoint sweeps).  :func:`plan_chain` chooses, for
every run, the cheaper of the two or a split into two runs whose matrices are
multiplied (w_i w_k w_j multiplications), and so finds the bracketing and the
mode of each factor.  :func:`dense_orders` gives the classic dense-chain counts
(every factor a full matrix) for comparison.

Plans are data (:class:`ChainPlan`, a tree of :class:`Run` and :class:`Product`);
``srcad.chain`` evaluates them.
"""

from dataclasses import dataclass, field

import numpy as np

from .errors import SrcadError

STRATEGIES = ("auto", "forward", "reverse", "dense", "dense-forward", "dense-reverse")


# ---------------------------------------------------------------- plans
@dataclass(frozen=True)
class Run:
    """The product J_stop ... J_(start+1), computed by sweeps through its layers in one ``mode``."""

    start: int
    stop: int
    mode: str
    cost: float
    via: str = "sweeps"    # "sweeps" of its layers, "whole": the whole function's Jacobian, "matrix": the
                           # layer's own Jacobian made at once (vector mode)

    @property
    def whole(self):
        return self.via == "whole"

    @property
    def factors(self):
        return [f"J{k}" for k in range(self.stop, self.start, -1)]


@dataclass(frozen=True)
class Product:
    """``outer @ inner``: J_stop ... J_(split+1) times J_split ... J_(start+1)."""

    outer: object
    inner: object
    multiplications: int
    cost: float

    @property
    def start(self):
        return self.inner.start

    @property
    def stop(self):
        return self.outer.stop


@dataclass(frozen=True)
class DenseOrder:
    """A bracketing of the dense chain (every factor a full matrix) and its multiplication count."""

    name: str
    bracketing: str
    multiplications: int


@dataclass
class ChainPlan:
    """How a chain's Jacobian is computed, and what the alternatives would cost.

    ``root`` is a tree of :class:`Run` and :class:`Product`; costs are estimates in
    the units of ``tangent_costs``/``adjoint_costs`` (seconds when measured).
    ``dense`` lists the classic dense-chain orders (forward-only, reverse-only,
    optimal) with their multiplication counts.
    """

    layers: list
    widths: list
    tangent_costs: list
    adjoint_costs: list
    strategy: str
    root: object
    forward_cost: float
    reverse_cost: float
    dense: list = field(default_factory=list)
    input: str = "x"          # the chained argument's name
    measured: bool = False    # are the costs measured seconds (or counts)?
    values_cost: float = 0.0  # running the layers once for their values (0 for the whole function's Jacobian)

    @property
    def cost(self):
        return self.root.cost + self.values_cost

    @property
    def bracketing(self):
        return _bracketing(self.root)

    @property
    def runs(self):
        return _runs(self.root)

    @property
    def multiplications(self):
        """Multiplications in the products of this plan's matrices (runs are computed by sweeps)."""
        return _multiplications(self.root)

    def modes(self):
        """Each factor's mode, ``{"J1": "forward", ...}``."""
        return {f: run.mode for run in self.runs for f in run.factors}

    def text(self):
        """The plan as a few lines of text (what ``srcad.explain`` prints for a chain)."""
        units = "s" if self.measured else ""
        chain = f"{self.input} ({self.widths[0]})" + "".join(
            f" -> {name} -> {w}" for name, w in zip(self.layers, self.widths[1:]))
        lines = [f"chain of {len(self.layers)} layers: {chain}",
                 f"strategy {self.strategy!r}: J = {self.bracketing}"]
        for run in self.runs:
            names = "the whole function" if run.whole else ", ".join(self.layers[run.start:run.stop])
            width = self.widths[run.start] if run.mode == "forward" else self.widths[run.stop]
            sweeps = "tangent" if run.mode == "forward" else "adjoint"
            how = f"{width} {sweeps} sweep(s) through" if run.via == "sweeps" else "the Jacobian of"
            lines.append(f"  {' '.join(run.factors):<12} {run.mode:<7}: {how} {names}, est. {_cost(run.cost, units)}")
        lines.append(f"  products: {self.multiplications} multiplications")
        if self.values_cost:
            lines.append(f"  intermediate values: the layers run once, est. {_cost(self.values_cost, units)}")
        lines.append(f"estimated cost: chosen {_cost(self.cost, units)}, forward mode {_cost(self.forward_cost, units)}"
                     f", reverse mode {_cost(self.reverse_cost, units)}")
        lines.append("dense chain (every factor a full matrix), multiplications:")
        for order in self.dense:
            lines.append(f"  {order.name:<13} {order.bracketing:<28} {order.multiplications}")
        return "\n".join(lines)

    def __str__(self):
        return self.text()


def _cost(value, units):
    if units != "s":
        return f"{value:.4g}"
    for scale, unit in ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs")):
        if value >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value * 1e9:.3g} ns"


def _bracketing(node, top=True):
    if isinstance(node, Run):
        text = " ".join(node.factors)
        return text if len(node.factors) == 1 else f"[{text}]"
    text = f"{_bracketing(node.outer, False)} {_bracketing(node.inner, False)}"
    return text if top else f"({text})"


def _runs(node):
    if isinstance(node, Run):
        return [node]
    return _runs(node.outer) + _runs(node.inner)


def _multiplications(node):
    if isinstance(node, Run):
        return 0
    return node.multiplications + _multiplications(node.outer) + _multiplications(node.inner)


def flop_product_cost(rows, inner, columns):
    """The cost of a (rows x inner) @ (inner x columns) product counted in multiplications."""
    return float(rows * inner * columns)


def plan_chain(widths, tangent_costs, adjoint_costs, strategy="auto", product_cost=flop_product_cost, layers=None,
               input="x", whole_costs=None, matrix_costs=None, values_cost=0.0):
    """Plan the Jacobian of a chain with layer widths ``widths`` (w_0 .. w_L).

    ``tangent_costs[k]`` and ``adjoint_costs[k]`` are the costs of one tangent and
    one adjoint sweep of layer k+1; ``product_cost(a, b, c)`` the cost of an
    (a x b) @ (b x c) product, in the same units.  ``strategy``:

    - ``"auto"``: the cheapest plan, over every bracketing and every split into
      runs computed by sweeps, each run in its cheaper mode (mixed mode), and,
      when ``whole_costs`` gives the costs of the whole function's Jacobian in
      forward and in reverse mode (its layers inlined into one compiled sweep),
      the whole function in either mode, and when ``matrix_costs[k]`` gives the
      costs of layer k+1's own Jacobian made at once (vector mode, forward and
      reverse), that too.  ``values_cost`` is the cost of running the layers
      once for their values, which every plan but the whole function's pays;
    - ``"forward"`` / ``"reverse"``: the whole chain as one run in that mode;
    - ``"dense"``, ``"dense-forward"``, ``"dense-reverse"``: every factor a
      matrix of its own (each in its cheaper mode), multiplied in the optimal
      dense-chain order, from the input side J_L(...(J_2 J_1)), or from the
      output side ((J_L J_(L-1))...)J_1.

    >>> plan = plan_chain([256, 8, 256], [2048.0, 2048.0], [2048.0, 2048.0])   # sweeps: a matrix-vector product
    >>> plan.bracketing, plan.modes()
    ('J2 J1', {'J2': 'forward', 'J1': 'reverse'})
    """
    if strategy not in STRATEGIES:
        raise SrcadError(f"strategy must be one of {', '.join(map(repr, STRATEGIES))}, got {strategy!r}")
    widths = [int(w) for w in widths]
    count = len(widths) - 1
    if count < 1 or len(tangent_costs) != count or len(adjoint_costs) != count:
        raise SrcadError("a chain of L layers needs L + 1 widths and L tangent and adjoint costs")
    (root, overhead), forward, reverse = _plan_root(widths, tangent_costs, adjoint_costs, strategy, product_cost,
                                                    whole_costs, matrix_costs, values_cost)
    return ChainPlan(layers=list(layers) if layers else [f"f{k}" for k in range(1, count + 1)], widths=widths,
                     tangent_costs=list(tangent_costs), adjoint_costs=list(adjoint_costs), strategy=strategy,
                     root=root, forward_cost=forward, reverse_cost=reverse, dense=dense_orders(widths),
                     input=input, values_cost=overhead)


def _plan_root(widths, tangent_costs, adjoint_costs, strategy, product_cost, whole_costs=None, matrix_costs=None,
               values_cost=0.0):
    """``((tree, overhead), forward cost, reverse cost)``: a plan's tree and the cost of the
    intermediate values it needs, and the cheapest whole chain in either mode."""
    count = len(widths) - 1
    tangent_prefix = np.concatenate([[0.0], np.cumsum(tangent_costs)])
    adjoint_prefix = np.concatenate([[0.0], np.cumsum(adjoint_costs)])

    def run(i, j, mode=None):
        forward = Run(i, j, "forward", widths[i] * (tangent_prefix[j] - tangent_prefix[i]))
        reverse = Run(i, j, "reverse", widths[j] * (adjoint_prefix[j] - adjoint_prefix[i]))
        if mode is not None:
            return forward if mode == "forward" else reverse
        options = [forward, reverse]
        if matrix_costs is not None and j == i + 1:
            options += [Run(i, j, "forward", matrix_costs[i][0], via="matrix"),
                        Run(i, j, "reverse", matrix_costs[i][1], via="matrix")]
        return min(options, key=_cost_of)

    def product(outer, inner):
        i, k, j = inner.start, inner.stop, outer.stop
        return Product(outer, inner, widths[i] * widths[k] * widths[j],
                       outer.cost + inner.cost + product_cost(widths[j], widths[k], widths[i]))

    def dense(order):
        if order == "dense-forward":
            node = run(0, 1)
            for k in range(2, count + 1):
                node = product(run(k - 1, k), node)
            return node
        if order == "dense-reverse":
            node = run(count - 1, count)
            for k in range(count - 1, 0, -1):
                node = product(node, run(k - 1, k))
            return node
        return _interval_dp(count, lambda i, j: [run(i, j)] if j == i + 1 else [], product)

    whole = []
    if whole_costs is not None:
        whole = [Run(0, count, "forward", whole_costs[0], via="whole"),
                 Run(0, count, "reverse", whole_costs[1], via="whole")]

    if strategy in ("forward", "reverse"):
        root = run(0, count, strategy)
    elif strategy == "auto":
        root = _interval_dp(count, lambda i, j: [run(i, j)], product)
    else:
        root = dense(strategy)
    # every plan but the whole function's own Jacobian first runs the layers for their values
    root = (root, values_cost)
    if strategy == "auto" and whole:
        root = min([root] + [(w, 0.0) for w in whole], key=_total)
    forward = (run(0, count, "forward"), values_cost)
    reverse = (run(0, count, "reverse"), values_cost)
    if whole:
        forward, reverse = min(forward, (whole[0], 0.0), key=_total), min(reverse, (whole[1], 0.0), key=_total)
    return root, _total(forward), _total(reverse)


def _total(node_and_overhead):
    node, overhead = node_and_overhead
    return node.cost + overhead


def _cost_of(node):
    return node.cost


def _interval_dp(count, direct, product):
    """The cheapest tree over factors 1..count: ``direct(i, j)`` lists the ways to compute
    J_j ... J_(i+1) at once, ``product`` joins two neighbouring intervals."""
    best = {}
    for length in range(1, count + 1):
        for i in range(0, count - length + 1):
            j = i + length
            options = list(direct(i, j))
            options += [product(best[k, j], best[i, k]) for k in range(i + 1, j)]
            # ties go to the first option: a direct run before any split, splits from the input side
            best[i, j] = min(options, key=lambda node: node.cost)
    return best[0, count]


def dense_orders(widths):
    """The classic dense-chain multiplication counts: forward-only J_L(...(J_2 J_1)),
    reverse-only ((J_L J_(L-1))...)J_1, and the optimal bracketing (matrix-chain order).

    >>> [(o.name, o.multiplications) for o in dense_orders([8, 512, 8, 512, 8])]
    [('forward-only', 98304), ('reverse-only', 98304), ('optimal', 66048)]
    >>> dense_orders([8, 512, 8, 512, 8])[2].bracketing
    '(J4 J3) (J2 J1)'
    """
    free = [0.0] * (len(widths) - 1)
    roots = [_plan_root(widths, free, free, strategy, flop_product_cost)[0][0]
             for strategy in ("dense-forward", "dense-reverse", "dense")]
    return [DenseOrder(name, _bracketing(root), _multiplications(root))
            for name, root in zip(("forward-only", "reverse-only", "optimal"), roots)]

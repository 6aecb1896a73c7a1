"""np.linalg.solve, inv and det, lowered to an LU factorization with partial pivoting.

The factorization is ordinary loop code over element reads and writes, so
srcad differentiates it like any other loop.  A matrix whose factorization
meets a zero pivot (a singular matrix) stops the computation with an
assertion, where NumPy raises ``LinAlgError``: at a singular matrix the
derivative of ``det`` would not follow from the factorization.
"""

import ast
import copy

import numpy as np

from .array_operations import array_operation

# Elimination with row exchanges on the work matrix LU (a copy of the matrix)
# and on the right-hand side X; for the determinant, SIGN follows the exchanges.
_FACTOR = """
for c in range(n):
    p = c
    best = abs(LU[c, c])
    for r in range(c + 1, n):
        if abs(LU[r, c]) > best:
            best = abs(LU[r, c])
            p = r
    assert best != 0.0, MESSAGE
{flip}
    for j in range(n):
        t = LU[c, j]
        LU[c, j] = LU[p, j]
        LU[p, j] = t
{swap}
    for r in range(c + 1, n):
        f = LU[r, c] / LU[c, c]
        for j in range(c, n):
            LU[r, j] = LU[r, j] - f * LU[c, j]
{eliminate}
"""

_FLIP = """
    if p != c:
        SIGN = -SIGN
"""

_SWAP = """
    for j in range(m):
        t = {Xcj}
        {Xcj} = {Xpj}
        {Xpj} = t
"""

_ELIMINATE = """
        for j in range(m):
            {Xrj} = {Xrj} - f * {Xcj}
"""

_BACK_SUBSTITUTE = """
for c in range(n - 1, -1, -1):
    for j in range(m):
        s = {Xcj}
        for q in range(c + 1, n):
            s = s - LU[c, q] * {Xqj}
        {Xcj} = s / LU[c, c]
"""

_DETERMINANT = """
for c in range(n):
    SIGN = SIGN * LU[c, c]
"""

_LOCALS = {"c": "int", "p": "int", "r": "int", "j": "int", "q": "int",
           "best": "float", "t": "float", "f": "float", "s": "float"}


def _rhs(columns):
    """Element spellings of the right-hand side, one column or several."""
    def at(row):
        return f"X[{row}, j]" if columns else f"X[{row}]"
    return {"Xcj": at("c"), "Xpj": at("p"), "Xrj": at("r"), "Xqj": at("q")}


class _Instantiate(ast.NodeTransformer):
    def __init__(self, mapping):
        self.mapping = mapping

    def visit_Name(self, node):
        if node.id in self.mapping:
            new = copy.deepcopy(self.mapping[node.id])
            if isinstance(new, ast.Name):
                new.ctx = node.ctx
            return new
        return node


def _emit(k, template, mapping):
    for stmt in ast.parse(template).body:
        k.emit(_Instantiate(mapping).visit(stmt))


def _square(k, matrix):
    shape = k.shape(matrix)
    k.check_equal(shape[0], shape[1])
    return shape[0]


def _factor(k, matrix, extra):
    """Emit the copy of ``matrix`` into a work buffer and its elimination; returns the mapping of names."""
    n = _square(k, matrix)
    lu = k.materialize("_lu", "float64", [n, copy.deepcopy(n)], lambda k, buffer: _copy_into(k, matrix, buffer))
    mapping = {name: ast.Name(k.fresh(f"_{name}", kind), ast.Load()) for name, kind in _LOCALS.items()}
    mapping.update(n=n, LU=ast.Name(lu, ast.Load()), MESSAGE=ast.Constant("singular matrix"))
    mapping.update(extra)
    return mapping


def _copy_into(k, source, buffer):
    shape = k.shape(source)
    indices = [k.fresh("_e", "int") for _ in shape]
    at = [ast.Name(i, ast.Load()) for i in indices]

    def body(k):
        value = k.element(source, at)
        target = at[0] if len(at) == 1 else ast.Tuple(copy.deepcopy(at), ast.Load())
        k.emit(ast.Assign([ast.Subscript(ast.Name(buffer, ast.Load()), copy.deepcopy(target), ast.Store())], value))
    k.loop(indices, shape, body)


def _solve_into(k, matrix, rhs_extents, columns, fill_rhs):
    """The solution of ``matrix @ X = rhs`` as a new array; ``fill_rhs(k, X)`` writes the right-hand side."""
    def fill(k, x):
        fill_rhs(k, x)
        m = copy.deepcopy(rhs_extents[1]) if columns else ast.Constant(1)
        mapping = _factor(k, matrix, {"X": ast.Name(x, ast.Load()), "m": m})
        spellings = _rhs(columns)
        _emit(k, _FACTOR.format(flip="", swap=_SWAP.format(**spellings), eliminate=_ELIMINATE.format(**spellings)),
              mapping)
        _emit(k, _BACK_SUBSTITUTE.format(**spellings), mapping)
    return k.materialize("_solution", "float64", rhs_extents, fill)


def _index(index):
    index = [copy.deepcopy(i) for i in index]
    return index[0] if len(index) == 1 else ast.Tuple(index, ast.Load())


def _square_type(t, parts, args):
    return t.is_array(parts[0]) and parts[0].ndim == 2 and parts[0].element == "float"


def _solve_type(t, parts, args):
    if len(parts) != 2 or not _square_type(t, parts, args) or not t.is_array(parts[1]) \
            or parts[1].ndim not in (1, 2):
        return "conflict"
    return t.array("float64", parts[1].ndim)


def _solve_element(k, args, index):
    matrix, rhs = args
    extents = k.shape(rhs)
    k.check_equal(k.shape(matrix)[0], extents[0])
    x = _solve_into(k, matrix, extents, len(extents) == 2, lambda k, x: _copy_into(k, rhs, x))
    return ast.Subscript(ast.Name(x, ast.Load()), _index(index), ast.Load())


array_operation([np.linalg.solve], "np.linalg.solve", _solve_type, lambda k, args: k.shape(args[1]),
                _solve_element)


def _inv_type(t, parts, args):
    return t.array("float64", 2) if len(parts) == 1 and _square_type(t, parts, args) else "conflict"


def _identity_into(k, x, n):
    rows, cols = k.fresh("_e", "int"), k.fresh("_e", "int")

    def body(k):
        same = ast.Compare(ast.Name(rows, ast.Load()), [ast.Eq()], [ast.Name(cols, ast.Load())])
        target = ast.Tuple([ast.Name(rows, ast.Load()), ast.Name(cols, ast.Load())], ast.Load())
        k.emit(ast.Assign([ast.Subscript(ast.Name(x, ast.Load()), target, ast.Store())],
                          ast.IfExp(same, ast.Constant(1.0), ast.Constant(0.0))))
    k.loop([rows, cols], [n, copy.deepcopy(n)], body)


def _inv_element(k, args, index):
    (matrix,) = args
    n = _square(k, matrix)
    x = _solve_into(k, matrix, [n, copy.deepcopy(n)], True, lambda k, x: _identity_into(k, x, n))
    return ast.Subscript(ast.Name(x, ast.Load()), _index(index), ast.Load())


array_operation([np.linalg.inv], "np.linalg.inv", _inv_type, lambda k, args: k.shape(args[0]),
                _inv_element)


def _det_type(t, parts, args):
    return "float" if len(parts) == 1 and _square_type(t, parts, args) else "conflict"


def _det_element(k, args, index):
    (matrix,) = args
    sign = k.fresh("_det", "float")
    k.emit(ast.Assign([ast.Name(sign, ast.Store())], ast.Constant(1.0)))
    mapping = _factor(k, matrix, {"SIGN": ast.Name(sign, ast.Load())})
    mapping["MESSAGE"] = ast.Constant("the determinant is differentiated through an LU factorization, "
                                      "which a singular matrix does not have")
    _emit(k, _FACTOR.format(flip=_FLIP, swap="", eliminate=""), mapping)
    _emit(k, _DETERMINANT, mapping)
    return ast.Name(sign, ast.Load())


array_operation([np.linalg.det], "np.linalg.det", _det_type,
                lambda k, args: k.refuse("np.linalg.det", "the determinant is a scalar"), _det_element)

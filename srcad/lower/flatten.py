"""Splitting active expressions into one primitive operation a statement.

``y = a * sin(x) + c`` with ``x`` active becomes ``_t1 = math.sin(x)``,
``_t2 = a * _t1``, ``y = _t2 + c``: each statement is then one rule
application whose tangent and adjoint are read off the rule table.
Inactive sub-expressions stay whole; an active conditional expression becomes
an ``if`` statement.
"""

import ast
import copy

from ..analysis import type_of
from ..analysis.types import element_writes, is_element_write, target_name
from ..frontend.names import NameSource, user_names


class _Flattener:
    def __init__(self, tree, env, activity):
        self.env = dict(env)
        self.activity = activity
        self.active = set(activity.active)
        self.names = NameSource(user_names(tree))
        self.temps = []
        self.memo = {}
        self.written = {name for name, _, _ in element_writes(tree)}

    def reads_written_array(self, expr):
        """Does ``expr`` read the contents of an array written somewhere: an element, or the whole
        array through a call like ``np.sum(v)``?  Its shape never changes, so ``v.shape`` does not count."""
        shapes = {id(n.value) for n in ast.walk(expr)
                  if isinstance(n, ast.Attribute) and n.attr in ("shape", "size", "ndim")}
        return any(isinstance(n, ast.Name) and n.id in self.written and id(n) not in shapes
                   for n in ast.walk(expr))

    def is_active(self, expr):
        return self.activity.is_active_expr(expr, self.env) if not isinstance(expr, ast.Constant) else False

    def block(self, stmts):
        out = []
        for stmt in stmts:
            out.extend(self.stmt(stmt))
        return out

    def stmt(self, stmt):
        self.memo = {}   # repeated active sub-expressions of one statement share a temporary
        if is_element_write(stmt):
            if target_name(stmt) not in self.active:
                return [stmt]
            # the adjoint clears the element's adjoint, reading the index again, even for a constant
            before, value = self.atom(stmt.value, stmt) if self.is_active(stmt.value) else ([], stmt.value)
            pinned, target = self.pin_index(stmt.targets[0], stmt)
            return before + pinned + [_located(ast.Assign([target], value), stmt)]
        if isinstance(stmt, ast.Assign):
            target = stmt.targets[0].id
            if target in self.active and self.is_active(stmt.value):
                return self.compute_into(stmt.value, target, stmt)
            return [stmt]
        if isinstance(stmt, ast.If):
            stmt.body, stmt.orelse = self.block(stmt.body), self.block(stmt.orelse)
        elif isinstance(stmt, (ast.For, ast.While)):
            stmt.body = self.block(stmt.body)
        return [stmt]

    def compute_into(self, expr, target, where):
        if isinstance(expr, ast.IfExp):
            outer = dict(self.memo)
            body = self.compute_into(expr.body, target, where) if self.is_active(expr.body) \
                else [_assign(target, expr.body, where)]
            self.memo = dict(outer)
            orelse = self.compute_into(expr.orelse, target, where) if self.is_active(expr.orelse) \
                else [_assign(target, expr.orelse, where)]
            self.memo = outer
            return [_located(ast.If(expr.test, body, orelse), where)]
        before, node = self.split(expr, where)
        return before + [_assign(target, node, where)]

    def atom(self, expr, where):
        if isinstance(expr, ast.Name):
            return [], expr
        if not self.is_active(expr):
            if not self.reads_written_array(expr):
                return [], expr
            # the adjoint will need this value after the array may have changed: keep it
            temp = self.names.fresh("_t")
            self.env[temp] = type_of(expr, self.env)
            return [_assign(temp, expr, where)], ast.Name(temp, ast.Load())
        key = ast.dump(expr)
        if key in self.memo:
            return [], ast.Name(self.memo[key], ast.Load())
        temp = self.names.fresh("_t")
        self.memo[key] = temp
        self.temps.append(temp)
        self.env[temp] = type_of(expr, self.env)
        self.active.add(temp)
        self.activity.active.add(temp)
        return self.compute_into(expr, temp, where), ast.Name(temp, ast.Load())

    def pin_index(self, subscript, where):
        """``subscript`` with each index that reads a written array replaced by a temporary.

        The adjoint of an element read or write reads its index again in the
        reverse sweep, when the array it was computed from may hold other
        values; a temporary is an ordinary scalar, recorded or recomputed like
        any other.
        """
        index = subscript.slice
        parts = index.elts if isinstance(index, ast.Tuple) else [index]
        if not any(self.reads_written_array(part) for part in parts):
            return [], subscript
        before, pinned = [], []
        for part in parts:
            if self.reads_written_array(part):
                temp = self.names.fresh("_index")
                self.env[temp] = type_of(part, self.env)
                before.append(_assign(temp, part, where))
                part = ast.Name(temp, ast.Load())
            pinned.append(part)
        subscript = copy.copy(subscript)
        subscript.slice = ast.Tuple(pinned, ast.Load()) if isinstance(index, ast.Tuple) else pinned[0]
        return before, subscript

    def split(self, expr, where):
        """Statements computing the active operands of ``expr``, and ``expr`` over atoms."""
        expr = copy.copy(expr)
        before = []
        if isinstance(expr, ast.Subscript):
            before, expr = self.pin_index(expr, where)
        elif isinstance(expr, ast.BinOp):
            b1, expr.left = self.atom(expr.left, where)
            b2, expr.right = self.atom(expr.right, where)
            before = b1 + b2
        elif isinstance(expr, ast.UnaryOp):
            before, expr.operand = self.atom(expr.operand, where)
        elif isinstance(expr, ast.Call):
            args = []
            for arg in expr.args:
                b, a = self.atom(arg, where)
                before += b
                args.append(a)
            expr.args = args
        return before, expr


def _assign(target, value, where):
    return _located(ast.Assign([ast.Name(target, ast.Store())], value), where)


def _located(node, where):
    ast.copy_location(node, where)
    ast.fix_missing_locations(node)
    return node


def flatten(tree, env, activity):
    """Return a flattened copy of core-form ``tree`` and the names of the temporaries it made."""
    tree = copy.deepcopy(tree)
    flattener = _Flattener(tree, env, activity)
    tree.body = flattener.block(tree.body)
    _forward_stores(tree.body)
    tree.body = _hoist_invariant_reads(tree.body, set(flattener.temps), _assignment_counts(tree))
    return tree, flattener.temps


def _assignment_counts(tree):
    counts = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            counts[node.id] = counts.get(node.id, 0) + 1
    return counts


def _written_in(stmt):
    """Names a statement assigns, and arrays whose elements it writes."""
    names = set()
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
            names.add(node.value.id)
    return names


def _hoist_invariant_reads(stmts, temps, counts):
    """Move ``t = a[i]`` out of a ``for`` loop when neither ``a`` nor ``i`` changes in the loop.

    The read then happens (and is taped) once per execution of the loop instead
    of once per iteration.  It is guarded by the loop running at all, so an
    index that is only valid inside the loop is never used.
    """
    out = []
    for stmt in stmts:
        if isinstance(stmt, ast.If):
            stmt.body = _hoist_invariant_reads(stmt.body, temps, counts)
            stmt.orelse = _hoist_invariant_reads(stmt.orelse, temps, counts)
        elif isinstance(stmt, ast.While):
            stmt.body = _hoist_invariant_reads(stmt.body, temps, counts)
        elif isinstance(stmt, ast.For):
            stmt.body = _hoist_invariant_reads(stmt.body, temps, counts)
            changed = _written_in(stmt)
            hoisted = []
            for inner in list(stmt.body):
                value = getattr(inner, "value", None)
                if not (isinstance(inner, ast.Assign) and isinstance(inner.targets[0], ast.Name)
                        and inner.targets[0].id in temps and counts.get(inner.targets[0].id) == 1
                        and isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name)):
                    continue
                used = {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
                if used & changed:
                    continue
                stmt.body.remove(inner)
                hoisted.append(inner)
            if hoisted:
                args = stmt.iter.args
                bounds = [ast.Constant(0), args[0], ast.Constant(1)] if len(args) == 1 else \
                    [args[0], args[1], ast.Constant(1)] if len(args) == 2 else list(args)
                runs = ast.Compare(ast.Call(ast.Name("range_len", ast.Load()), copy.deepcopy(bounds), []),
                                   [ast.Gt()], [ast.Constant(0)])
                out.append(_located(ast.If(runs, hoisted, []), stmt))
        out.append(stmt)
    return out


def _forward_stores(stmts):
    """``a[i] = v`` then ``t = a[i]`` in the same list: make it ``t = v`` (nothing of ``a`` to tape)."""
    for index, stmt in enumerate(stmts):
        if isinstance(stmt, ast.If):
            _forward_stores(stmt.body)
            _forward_stores(stmt.orelse)
            continue
        if isinstance(stmt, (ast.For, ast.While)):
            _forward_stores(stmt.body)
            continue
        if not is_element_write(stmt) or not isinstance(stmt.value, (ast.Name, ast.Constant)):
            continue
        array = stmt.targets[0].value.id
        where = ast.dump(stmt.targets[0].slice)
        depends = {n.id for n in ast.walk(stmt.targets[0].slice) if isinstance(n, ast.Name)} | {array}
        if isinstance(stmt.value, ast.Name):
            depends.add(stmt.value.id)
        for later in stmts[index + 1:]:
            if not isinstance(later, ast.Assign):
                break
            value = later.value
            if isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name) \
                    and value.value.id == array and ast.dump(value.slice) == where:
                later.value = copy.deepcopy(stmt.value)
            if target_name(later) in depends:
                break

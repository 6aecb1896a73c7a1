"""Fresh, deterministic names that never collide with the user's."""

import ast


def user_names(tree):
    """Every identifier that appears in ``tree``."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


class NameSource:
    """Hands out names like ``_t1``, ``_t2`` in order, skipping names already taken."""

    def __init__(self, taken):
        self.taken = set(taken)
        self.counters = {}

    def fresh(self, stem):
        while True:
            count = self.counters.get(stem, 0) + 1
            self.counters[stem] = count
            name = f"{stem}{count}"
            if name not in self.taken:
                self.taken.add(name)
                return name

    def exact(self, name):
        """``name`` itself if free, else a numbered variant."""
        if name not in self.taken:
            self.taken.add(name)
            return name
        return self.fresh(name)

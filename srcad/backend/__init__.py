"""Backend: render generated functions as a module, compile and cache it."""

from .render import render_function, render_module
from .cpu import cache_dir, install_finder, load_module

install_finder()

__all__ = ["render_function", "render_module", "cache_dir", "load_module"]

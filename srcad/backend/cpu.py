"""Writing generated modules to the cache directory and loading them.

A generated module is stored as ``srcad_<hash>.py`` where the hash is taken
over its text, so the name changes whenever anything that went into it
changes (the function, the options, srcad's version).  Numba's own cache then
lives beside it, and a second process loads the compiled code instead of
compiling again.  Files are written once, atomically, and never rewritten:
Numba's cache keys on the file's modification time.
"""

import hashlib
import importlib.util
import os
import sys
import tempfile
import threading

_lock = threading.Lock()


def cache_dir():
    """Where generated modules live: ``$SRCAD_CACHE_DIR`` or the user's cache directory."""
    configured = os.environ.get("SRCAD_CACHE_DIR")
    if configured:
        return os.path.abspath(os.path.expanduser(configured))
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "srcad")


def _writable_dir():
    path = cache_dir()
    try:
        os.makedirs(path, exist_ok=True)
        if os.access(path, os.W_OK):
            return path
    except OSError:
        pass
    fallback = _fallback_dir()
    os.makedirs(fallback, exist_ok=True)
    return fallback


def _fallback_dir():
    return os.path.join(tempfile.gettempdir(), f"srcad-{os.getuid() if hasattr(os, 'getuid') else 'user'}")


def _write_once(path, text):
    if os.path.exists(path):
        return
    directory = os.path.dirname(path)
    fd, temp = tempfile.mkstemp(prefix=".srcad-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        if os.path.exists(path):
            os.unlink(temp)
        else:
            os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


class _GeneratedModuleFinder:
    """Imports ``srcad_<hash>`` modules from the cache directory.

    Numba's cache of a user's ``@njit(cache=True)`` function that calls a
    derivative refers to the generated module by name; a new process must be
    able to import it before srcad has built anything.
    """

    @staticmethod
    def find_spec(name, path=None, target=None):
        if not name.startswith("srcad_") or "." in name:
            return None
        for directory in (cache_dir(), _fallback_dir()):
            file = os.path.join(directory, name + ".py")
            if os.path.exists(file):
                return importlib.util.spec_from_file_location(name, file)
        return None


def install_finder():
    if not any(isinstance(f, _GeneratedModuleFinder) or f is _GeneratedModuleFinder for f in sys.meta_path):
        sys.meta_path.append(_GeneratedModuleFinder)


def module_name(text):
    return "srcad_" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def load_module(text):
    """Write module ``text`` to the cache (once) and import it; the same text gives the same module."""
    name = module_name(text)
    with _lock:
        module = sys.modules.get(name)
        if module is not None:
            return module
        path = os.path.join(_writable_dir(), name + ".py")
        _write_once(path, text)
        spec = importlib.util.spec_from_loader(name, loader=None, origin=path)
        module = importlib.util.module_from_spec(spec)
        module.__file__ = path
        sys.modules[name] = module
        try:
            exec(compile(text, path, "exec"), module.__dict__)
        except BaseException:
            del sys.modules[name]
            raise
        return module

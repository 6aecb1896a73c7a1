import os
import pathlib
import sys
import tempfile

# Tests import their example modules by name.
sys.path.insert(0, str(pathlib.Path(__file__).parent))

# Keep generated modules of the test run out of the user's cache.
os.environ.setdefault("SRCAD_CACHE_DIR", os.path.join(tempfile.gettempdir(), "srcad-test-cache"))

"""`environment(values)`: environment variables set for one block, then put back as they were.

Outside a Pulumi program the settings (and so every lookup) come from the environment; the
program runner, the tests and the benchmarks point them at an emulator for a block this way.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping


@contextlib.contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set ``values`` in ``os.environ`` for the block. Afterwards (also when the block raises)
    each of those names has its old value again, or is unset if it was unset before."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old

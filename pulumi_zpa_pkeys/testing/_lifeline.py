"""Run a module as ``__main__`` in a process that ends when its parent does.

``python -m pulumi_zpa_pkeys.testing._lifeline MODULE [ARG ...]`` runs ``python -m MODULE
[ARG ...]`` in this process (``runpy``, as ``-m`` does), and watches its standard input in a
daemon thread. The parent starts it with ``stdin=PIPE``, holds the only write end and never
writes: however the parent ends (an orderly stop, SIGTERM without clean-up, SIGKILL, a crash),
the kernel closes that end, the read returns end-of-file, and this process sends itself SIGTERM
(the emulator stops as it does on SIGTERM; the provider host dies), and exits outright if it is
still alive :data:`GRACE_S` later.

Why a pipe and not ``prctl(PR_SET_PDEATHSIG)``: the death signal follows the *thread* that
started the child (a host started from a worker thread would die with that thread), needs a
``preexec_fn``, which is unsafe in a process with threads (gRPC runs several), and is Linux
only. The pipe needs nothing from the parent but keeping ``stdin`` open. A child of a process
the parent ``fork()``\\ s afterwards (without ``exec``) shares the write end, so it outlives the
parent until that fork ends too.

Standard library only, and nothing from pulumi: the emulator is started through it.
"""

from __future__ import annotations

import os
import runpy
import signal
import sys
import threading
import time

#: Seconds between SIGTERM and the outright exit, once the parent is gone.
GRACE_S = 5.0


def _watch_parent() -> None:
    try:
        while os.read(0, 4096):
            pass
    except OSError:
        pass
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(GRACE_S)
    os._exit(1)


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit("usage: python -m pulumi_zpa_pkeys.testing._lifeline MODULE [ARG ...]")
    threading.Thread(target=_watch_parent, name="lifeline", daemon=True).start()
    module = sys.argv[1]
    sys.argv = sys.argv[1:]  # runpy puts the module's file name in sys.argv[0], as -m does
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()

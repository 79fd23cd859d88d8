"""``python -m pulumi_zpa_pkeys.emulator``: print the base URL on the first line, serve until
SIGTERM/SIGINT, exit 0."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from .app import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, App
from .backend import DEFAULT_CUSTOMER_ID, Backend, process_id_offset
from .cloud_keys import ADMIN_PASSWORD, ADMIN_USERNAME, SEEDED_KEYS, SIGN_IN_PATHS
from .server import EmulatorServer
from .store import Journal, JournalError

CLOUD_HELP = (
    "ZIA and Cloud & Branch Connector (ZTW) are served beside ZPA at the same origin: legacy "
    "sign-in at " + " and ".join(f"{p} {path}" for p, path in SIGN_IN_PATHS.items())
    + f" as admin {ADMIN_USERNAME}, password {ADMIN_PASSWORD}, with the seeded cloud service API"
    " keys " + " and ".join(f"{p} {own[1]}" for p, (own, _) in SEEDED_KEYS.items())
    + "; OneAPI at /zia/api/v1 and /ztw/api/v1 with a token from /oauth2/v1/token."
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m pulumi_zpa_pkeys.emulator",
        description="Local emulator of the ZPA management API (provisioning keys).",
        epilog=CLOUD_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    parser.add_argument("--state", metavar="FILE", help="journal file: writes survive restarts")
    parser.add_argument("--no-rate-limit", action="store_true", help="turn ZPA's rate limits off")
    parser.add_argument("--customer-id", default=DEFAULT_CUSTOMER_ID)
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    parser.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET)
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    journal = Journal(args.state) if args.state else None
    try:
        backend = Backend(args.customer_id, journal=journal, id_offset=process_id_offset())
    except JournalError as exc:
        # One line, no traceback; the file is left exactly as it was.
        print(
            f"zpa-emulator: refusing to start, --state file left unchanged: {exc}", file=sys.stderr
        )
        return 1
    app = App(
        backend,
        client_id=args.client_id,
        client_secret=args.client_secret,
        rate_limit=not args.no_rate_limit,
    )
    server = EmulatorServer(app, args.host, args.port, verbose=args.verbose)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    thread = server.start_in_thread()
    print(server.url, flush=True)
    while not stop.wait(0.5):
        pass
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()
    backend.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

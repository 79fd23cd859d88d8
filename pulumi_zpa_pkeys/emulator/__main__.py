"""``python -m pulumi_zpa_pkeys.emulator``: print the base URL on the first line of stdout
(flushed: tests and tools read it), the defaults and a ready token request on stderr, serve until
SIGTERM/SIGINT, exit 0. A port that cannot be had is one line on stderr and exit 1."""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
from types import FrameType

from .app import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, LEGACY_SIGN_IN, ONEAPI_TOKEN, App
from .backend import DEFAULT_CUSTOMER_ID, Backend, process_id_offset
from .cloud_keys import ADMIN_PASSWORD, ADMIN_USERNAME, SEEDED_KEYS, SIGN_IN_PATHS, ZIA, ZTW
from .keys import ASSOCIATION_TYPES
from .server import EmulatorServer
from .store import Journal, JournalError

PROG = "python -m pulumi_zpa_pkeys.emulator"
SERVED = f"""\
objects served (ZPA management API, under /zpa/mgmtconfig/... through OneAPI and /mgmtconfig/...
on the legacy door; .../customers/{{customer id}}/...):
  provisioning keys            .../associationType/{{type}}/provisioningKey, type one of
                               {", ".join(ASSOCIATION_TYPES)}
  App Connector groups         .../appConnectorGroup
  Service Edge groups          .../serviceEdgeGroup (with the Service Edges enrolled into them)
  enrollment certificates      .../enrollmentCert (the tenant's four, read only)
  browser-access certificates  .../certificate, .../clientlessCertificate, v2 .../issued lists
  API keys                     .../apiKeys

ZIA and Cloud & Branch Connector (ZTW), at the same origin:
  cloud service API keys       /api/v1/apiKeys, .../apiKeys/{{id}}/regenerate
  activation                   ZIA /api/v1/status, /api/v1/status/activate; ZTW
                               /api/v1/ecAdminActivateStatus, .../ecAdminActivateStatus/activate
                               or /forcedActivate
  legacy: a session of POST {SIGN_IN_PATHS[ZIA]} (ZIA) or {SIGN_IN_PATHS[ZTW]} (ZTW) as
  {ADMIN_USERNAME} / {ADMIN_PASSWORD} with the seeded key {SEEDED_KEYS[ZIA][0][1]} or
  {SEEDED_KEYS[ZTW][0][1]}; OneAPI: /zia/api/v1/..., /ztw/api/v1/... with a token

sign-in: POST {ONEAPI_TOKEN} (OneAPI: a client secret, or a private key's client assertion),
POST {LEGACY_SIGN_IN} (legacy: the admin client or an API key). Test controls (no auth):
/_emulator/... (requests, faults, config, state, reset, ...). Guide: docs/emulator.md.
"""


def _port(text: str) -> int:
    if not text.isascii() or not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"a port is a number from 0 to 65535, got {text!r}")
    return int(text)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A local emulator of the ZPA management API (standard library only): prints "
        "its base URL as the first line of stdout and serves until SIGTERM or Ctrl-C.",
        epilog=SERVED,
        formatter_class=lambda prog: argparse.RawDescriptionHelpFormatter(prog, width=100),
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    add("--port", type=_port, default=0, help="port; 0 picks a free one (default: %(default)s)")
    add("--state", metavar="FILE",
        help="journal file that keeps every answered write across restarts (default: none, "
        "everything is in memory)")  # fmt: skip
    add(
        "--no-rate-limit",
        action="store_true",
        help="turn ZPA's rate limits off (default: on, 20 GETs and 10 writes per 10 s)",
    )
    add(
        "--customer-id",
        default=DEFAULT_CUSTOMER_ID,
        help="the tenant's customer id (default: %(default)s)",
    )
    add(
        "--client-id",
        default=DEFAULT_CLIENT_ID,
        help="the admin API client's id, for both sign-ins (default: %(default)s)",
    )
    add(
        "--client-secret",
        default=DEFAULT_CLIENT_SECRET,
        help="the admin API client's secret (default: %(default)s)",
    )
    add("--verbose", action="store_true",
        help="log every request on stderr (default: off)")  # fmt: skip
    return parser.parse_args(argv)


def greeting(url: str, args: argparse.Namespace) -> str:
    """What stderr shows on start: the tenant's settings and a token request to copy."""
    # Only the emulator's built-in secret (public, in --help) is shown; one given is not.
    secret = args.client_secret if args.client_secret == DEFAULT_CLIENT_SECRET else None
    shown = secret if secret is not None else "(the one given with --client-secret)"
    form = f"client_secret={shlex.quote(secret) if secret else '$ZPA_CLIENT_SECRET'}"
    return (
        f"zpa-emulator: the ZPA management API at {url}\n"
        f"  customer id    {args.customer_id}\n"
        f"  client id      {args.client_id}\n"
        f"  client secret  {shown}\n"
        f"  a token:       curl -s {url}{ONEAPI_TOKEN} -d grant_type=client_credentials "
        f"-d client_id={shlex.quote(args.client_id)} -d {form}\n"
        f'  then:          curl -s -H "Authorization: Bearer $TOKEN" '
        f"{url}/zpa/mgmtconfig/v2/admin/customers/{args.customer_id}/enrollmentCert\n"
        f"  state:         curl -s {url}/_emulator/state   (stop: Ctrl-C)\n"
    )


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
    try:
        server = EmulatorServer(app, args.host, args.port, verbose=args.verbose)
    except OSError as exc:
        backend.close()
        reason = exc.strerror or str(exc)
        print(
            f"zpa-emulator: cannot listen on {args.host} port {args.port}: {reason}",
            file=sys.stderr,
        )
        return 1
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    thread = server.start_in_thread()
    print(server.url, flush=True)
    print(greeting(server.url, args), end="", file=sys.stderr, flush=True)
    while not stop.wait(0.5):
        pass
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()
    backend.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

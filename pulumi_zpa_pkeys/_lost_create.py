"""Lost-create recovery: a POST whose answer never arrived may still have created the object.

:func:`create_once` is the only way the kit creates an object. It never leaves a duplicate and
never touches an object this create did not make (ZPA's names are unique, and its
``creationTime`` tells an object made by this POST from an older one of the same name).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from . import _fields as F
from ._api import Collection
from ._schema import Schema
from ._transport import is_ambiguous
from .errors import ApiError, NotFoundError, TransportError, UnusableAnswerError, ZpaError

JSON = dict[str, Any]
T = TypeVar("T")


def create_once(api: Collection, body: JSON, schema: Schema, operation: str) -> JSON:
    """POST ``body`` and return ZPA's answer, never leaving a duplicate or touching an object
    this create did not make.

    An answer that is lost (5xx, dropped connection, timeout) or unusable may hide a create
    that happened. The object is then looked up by its name (the search retried as the POST
    is): the newest one that this create made (created after the first POST went out, by ZPA's
    clock, with the values sent) is returned, or, if a secret it shows only once is missing,
    deleted and created again. A failed sign-in sent nothing: it is tried again, and nothing is
    looked up. Anything else is left alone: the POST is sent again, and if an older object holds
    the name ZPA answers with its own "already exists" error, as without a fault. Retries wait
    as ZPA's ``retry-after`` asks (else back off) within ``retryMaxWaitSeconds``.
    """
    transport = api.transport
    shown_once = [f.api for f in schema.fields if f.shown_once and f.api is not None]
    # A value ZPA puts in the create answer alone is never in what a search finds.
    found_lacks_secret = any(f.only_in_create_answer for f in schema.fields)
    name = body.get("name")
    first_sent = time.time()
    retries = _Retries(transport.settings.retry_max_wait_s, transport.settings.retry_backoff_s)
    while True:
        try:
            created = api.create(body, operation)
            if not created.get("id"):
                raise UnusableAnswerError(
                    f"{operation}: the answer carries no id", operation=operation, status=200
                )
            return created
        except (TransportError, ApiError) as lost:
            if lost.at_sign_in and _worth_retrying(lost):
                retries.wait(lost)  # nothing was sent: sign in again, then POST
                continue
            if not isinstance(name, str) or not is_ambiguous(lost):
                raise
            retries.start()
            found = retries.call(lambda: api.search_name(name))
            ours = _made_by_us(found, body, first_sent, transport.server_time())
            if ours is not None:
                if not found_lacks_secret and all(ours.get(secret) for secret in shown_once):
                    return ours
                _delete_ours(api, retries, str(ours["id"]), operation)
                continue  # gone: create it again at once
            retries.wait(lost)


def _delete_ours(api: Collection, retries: _Retries, object_id: str, operation: str) -> None:
    """Delete an object this create made whose secret went with the lost answer, trying again
    while the outcome is in doubt; gone already counts as done.

    :raises ZpaError: it could not be deleted within the budget (the message names it).
    """
    try:
        retries.call(lambda: api.delete(object_id))
    except NotFoundError:
        return
    except (TransportError, ApiError) as failed:
        if not is_ambiguous(failed):
            raise
        raise type(failed)(
            f"{operation}: made {api.label} {object_id}, whose value was lost with the "
            f"answer, and could not delete it: {failed}",
            operation=operation,
            status=failed.status,
        ) from None


def _worth_retrying(error: ZpaError) -> bool:
    """A failure that may pass: no answer, a 5xx or a 429."""
    return isinstance(error, TransportError) or (error.status or 0) >= 500 or error.status == 429


class _Retries:
    """One retry budget for a create and the searches after it: ``retryMaxWaitSeconds`` from
    the first failure; each wait is ZPA's ``retry-after``, else a jittered back-off."""

    def __init__(self, max_wait_s: float, backoff_s: float) -> None:
        self.max_wait_s = max_wait_s
        self.backoff_s = backoff_s
        self.deadline: float | None = None
        self.waits = 0

    def start(self) -> None:
        """The budget runs from the first failure."""
        if self.deadline is None:
            self.deadline = time.monotonic() + self.max_wait_s

    def wait(self, error: ZpaError) -> None:
        """Wait before the next try, or raise ``error`` when the wait would pass the budget."""
        self.start()
        assert self.deadline is not None
        self.waits += 1
        wait = error.retry_after
        if wait is None:
            step = self.backoff_s * 2.0 ** (self.waits - 1)
            wait = min(10.0, step) * (0.5 + random.random() / 2)
        if time.monotonic() + wait > self.deadline:
            raise error
        time.sleep(wait)

    def call(self, attempt: Callable[[], T]) -> T:
        """``attempt()`` (a search, a delete), tried again while its failures leave open what
        ZPA holds; the last failure is raised when the budget is spent."""
        while True:
            try:
                return attempt()
            except (TransportError, ApiError) as failed:
                if not is_ambiguous(failed):
                    raise
                self.wait(failed)


def _made_by_us(
    found: Sequence[JSON],
    body: Mapping[str, Any],
    sent: float,
    server_now: float | None,
) -> JSON | None:
    """The newest object among ``found`` that a POST of ``body`` sent at ``sent`` (our clock)
    can have made.

    ZPA stamps ``creationTime`` in whole seconds of its own clock; ours is mapped onto it with
    the ``Date`` of its answers (also whole seconds), hence the 2 s of slack. Where names are
    not unique (groups), an earlier create's object can fall in that slack too: the newest is
    this create's (ids and times only grow). Without ZPA's clock nothing can be told apart,
    and nothing is claimed.
    """
    if server_now is None:
        return None
    sent_by_server_clock = sent + (server_now - time.time())
    candidates = []
    for item in found:
        created = F.int_or_none(item.get("creationTime"))
        if created is None or created < sent_by_server_clock - 2:
            continue
        if all(_same_value(item.get(key), value) for key, value in body.items() if key in item):
            candidates.append((created, _id_order(item.get("id")), item))
    if not candidates:
        return None
    return max(candidates, key=lambda c: (c[0], c[1]))[2]


def _id_order(value: Any) -> int:
    """An id as an exact integer (18-digit ids lose digits as floats), 0 if it is none."""
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() else 0


def _same_value(have: Any, sent: Any) -> bool:
    if isinstance(have, str) and isinstance(sent, str):
        return have.casefold() == sent.casefold()
    return str(have).lower() == str(sent).lower()

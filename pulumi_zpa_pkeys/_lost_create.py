"""Lost-create recovery: a POST whose answer never arrived may still have created the object.

:func:`create_once` is the only way the kit creates an object. It never leaves a duplicate and
never touches an object this create did not make (ZPA's names are unique, and its
``creationTime`` tells an object made by this POST from an older one of the same name).
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from typing import Any

from . import _fields as F
from ._api import Collection
from ._schema import Schema
from ._transport import is_ambiguous
from .errors import ApiError, TransportError, UnusableAnswerError

JSON = dict[str, Any]


def create_once(api: Collection, body: JSON, schema: Schema, operation: str) -> JSON:
    """POST ``body`` and return ZPA's answer, never leaving a duplicate or touching an object
    this create did not make.

    An answer that is lost (5xx, dropped connection, timeout) or unusable may hide a create
    that happened. The object is then looked up by its unique name: one that this create made
    (created after the first POST went out, by ZPA's clock, with the values sent) is returned,
    or, if a secret it shows only once is missing, deleted and created again. Anything else
    is left alone: the POST is sent again, and if an older object holds the name ZPA answers
    with its own "already exists" error, as without a fault. Retries wait as ZPA's
    ``retry-after`` asks (else back off) within ``retryMaxWaitSeconds``.
    """
    transport = api.transport
    secrets = [f.api for f in schema.fields if f.shown_once and f.api is not None]
    name = body.get("name")
    first_sent = time.time()
    deadline: float | None = None
    failures = 0
    while True:
        try:
            created = api.create(body, operation)
            if not created.get("id"):
                raise UnusableAnswerError(
                    f"{operation}: the answer carries no id", operation=operation, status=200
                )
            return created
        except (TransportError, ApiError) as lost:
            if not isinstance(name, str) or not is_ambiguous(lost):
                raise
            failures += 1
            now = time.monotonic()
            deadline = deadline or now + transport.settings.retry_max_wait_s
            ours = _made_by_us(api.search_name(name), body, first_sent, transport.server_time())
            if ours is not None:
                if all(ours.get(secret) for secret in secrets):
                    return ours
                api.delete(str(ours["id"]))  # ours, but its secret went with the answer
            wait = lost.retry_after
            if wait is None:
                step = transport.settings.retry_backoff_s * 2.0 ** (failures - 1)
                wait = min(10.0, step) * (0.5 + random.random() / 2)
            if time.monotonic() + wait > deadline:
                raise
            time.sleep(wait)


def _made_by_us(
    found: Sequence[JSON],
    body: Mapping[str, Any],
    sent: float,
    server_now: float | None,
) -> JSON | None:
    """The object among ``found`` that a POST of ``body`` sent at ``sent`` (our clock) made.

    ZPA stamps ``creationTime`` in whole seconds of its own clock; ours is mapped onto it with
    the ``Date`` of its answers (also whole seconds), hence the 2 s of slack. Without ZPA's
    clock nothing can be told apart, and nothing is claimed.
    """
    if server_now is None:
        return None
    sent_by_server_clock = sent + (server_now - time.time())
    for item in found:
        created = F.int_or_none(item.get("creationTime"))
        if created is None or created < sent_by_server_clock - 2:
            continue
        if all(_same_value(item.get(key), value) for key, value in body.items() if key in item):
            return item
    return None


def _same_value(have: Any, sent: Any) -> bool:
    if isinstance(have, str) and isinstance(sent, str):
        return have.casefold() == sent.casefold()
    return str(have).lower() == str(sent).lower()

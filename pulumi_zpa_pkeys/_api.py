"""One ZPA collection of objects (list, find, get, create, update, delete) on one tenant.

Each resource module describes its collection (path, label, list endpoint) and gets these
operations over a :class:`~pulumi_zpa_pkeys._transport.Transport`; nothing here knows a field
of any object.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._fields import microtenant_or_none
from ._transport import Transport, encode_query, segment
from .errors import NotFoundError, UnusableAnswerError

JSON = dict[str, Any]
Objects = list[JSON]


def search_expression(field: str, op: str, value: str) -> str:
    """``field OP value``; values may contain spaces (only the first two spaces separate)."""
    return f"{field} {op} {value}"


def matching_names(items: Objects, name: str) -> Objects:
    """The items named ``name`` ignoring case, the exact spelling first."""
    matches = [item for item in items if str(item.get("name", "")).casefold() == name.casefold()]
    return sorted(matches, key=lambda item: item.get("name") != name)


@dataclass(frozen=True)
class Collection:
    """``{customer url}/{path}[/{id}]`` with the usual ZPA operations.

    ``list_path``/``list_version`` name another list endpoint where ZPA has one (enrollment
    certificates are listed by the v2 API and read by v1). ``microtenant_id`` goes into every
    query; ``label`` names the object kind in error messages, ``scope`` follows it there
    (``" (CONNECTOR_GRP)"``).
    """

    transport: Transport
    path: str
    label: str
    scope: str = ""
    microtenant_id: str | None = None
    list_path: str | None = None
    list_version: str = "v1"

    def url(self, object_id: str | None = None) -> str:
        base = f"{self.transport.customer_url()}/{self.path}"
        return base if object_id is None else f"{base}/{segment(object_id)}"

    def _query(self) -> str:
        return encode_query(microtenantId=self.microtenant_id)

    def list(
        self,
        *,
        search: str | None = None,
        max_items: int | None = None,
        operation: str | None = None,
    ) -> Objects:
        """Every object (all pages, or the first ``max_items``), optionally filtered by
        ``search`` (``"name EQ some name"``)."""
        return self.transport.list_all(
            f"{self.transport.customer_url(self.list_version)}/{self.list_path or self.path}",
            operation or f"list {self.label}s{self.scope}",
            search=search,
            microtenant_id=self.microtenant_id,
            max_items=max_items,
        )

    def search_name(self, name: str) -> Objects:
        """The objects named ``name`` ignoring case (exact spelling first); one request."""
        found = self.list(
            search=search_expression("name", "EQ", name),
            operation=f"find {self.label} {name!r}{self.scope}",
        )
        return matching_names(found, name)

    def find(self, name: str) -> JSON | None:
        """The object named ``name`` (exact, else case-insensitive) in this collection's
        microtenant, or None; one request. A search without ``microtenantId`` may reach every
        microtenant: an object of another one is not this collection's."""
        here = microtenant_or_none(self.microtenant_id)
        matches = [
            found
            for found in self.search_name(name)
            if microtenant_or_none(found.get("microtenantId")) == here
        ]
        return matches[0] if matches else None

    def get(self, object_id: str) -> JSON:
        """One object by id.

        :raises NotFoundError: no such object.
        """
        return self.transport.call(
            "GET",
            self.url(object_id),
            f"get {self.label} {object_id}{self.scope}",
            query=self._query(),
        )

    def create(self, body: JSON, operation: str | None = None) -> JSON:
        """Create an object and return ZPA's answer (one POST; no retry when the answer is
        lost: what that means is the resource's rule)."""
        name = body.get("name")
        return self.transport.call(
            "POST",
            self.url(),
            operation or f"create {self.label} {name!r}{self.scope}",
            query=self._query(),
            body=body,
        )

    def update(self, object_id: str, body: JSON) -> None:
        """Send ``body`` with PUT.

        :raises NotFoundError: no such object.
        :raises ReadOnlyError: the object is managed by Zscaler.
        """
        self.transport.call(
            "PUT",
            self.url(object_id),
            f"update {self.label} {object_id}{self.scope}",
            query=self._query(),
            body=body,
        )

    def delete(self, object_id: str) -> None:
        """Delete an object. ZPA answers 204; another success (say a 200 without a body) is
        taken as done only when a GET then finds the object gone.

        :raises NotFoundError: no such object (callers decide whether that is success).
        :raises ReadOnlyError: the object is managed by Zscaler.
        :raises UnusableAnswerError: the answer was not ZPA's, and the object is still there.
        """
        try:
            self.transport.call(
                "DELETE",
                self.url(object_id),
                f"delete {self.label} {object_id}{self.scope}",
                query=self._query(),
            )
        except UnusableAnswerError as unconfirmed:
            if unconfirmed.status is None or not 200 <= unconfirmed.status < 300:
                raise
            try:
                self.get(object_id)
            except NotFoundError:
                return
            raise UnusableAnswerError(
                f"{unconfirmed}; the {self.label} is still there",
                operation=unconfirmed.operation,
                status=unconfirmed.status,
            ) from None

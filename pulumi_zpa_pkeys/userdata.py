"""User data for Zscaler's App Connector and Private Service Edge VM images, built from a
provisioning key Output.

Both images start their service at boot and enroll as soon as the provisioning-key file holds
a key. The scripts rendered here write that file and (re)start the service, as Zscaler's
deployment guides do:

* App Connector (AWS, Azure, GCP marketplace images): service ``zpa-connector``, key file
  ``/opt/zscaler/var/provision_key``.
* Private Service Edge: service ``zpa-service-edge``, key file
  ``/opt/zscaler/var/service-edge/provision_key`` (mode 0644). Sources: Zscaler's "Private
  Service Edge Deployment Guide for VMware Platforms"
  (https://help.zscaler.com/zpa/private-service-edge-deployment-guide-vmware: stop
  ``zpa-service-edge``, create the key file with 644 permissions, paste the key, start the
  service) and Zscaler's own Terraform modules for AWS
  (github.com/zscaler/terraform-aws-zpa-private-service-edge-modules,
  ``scripts/user_data_zscaler.sh``: the same steps as user data on the marketplace image, then
  ``yum update -y`` in the background so it does not delay enrollment).

The result is always a secret `Output`: the key is a credential, so the user data built from it
must stay encrypted in the stack's state and hidden in previews even when the caller passed a
plain string.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

__all__ = [
    "PROVISION_KEY_PATH",
    "SERVICE_EDGE_PROVISION_KEY_PATH",
    "app_connector_user_data",
    "service_edge_user_data",
]

#: Where the App Connector reads its provisioning key on first start.
PROVISION_KEY_PATH = "/opt/zscaler/var/provision_key"
#: Where the Private Service Edge reads its provisioning key on first start.
SERVICE_EDGE_PROVISION_KEY_PATH = "/opt/zscaler/var/service-edge/provision_key"

_DELIMITER = "ZPA_PROVISIONING_KEY_EOF"

_APP_CONNECTOR_TEMPLATE = """#!/bin/bash
# App Connector enrollment (rendered by pulumi_zpa_pkeys.userdata).
set -euo pipefail

# The image starts the connector at boot; stop it until the key is in place.
systemctl stop zpa-connector || true

# A quoted here-document: the shell expands nothing inside the key.
mkdir -p {directory}
cat > {path} <<'{delimiter}'
{key}
{delimiter}
chmod 0644 {path}

# Apply pending OS updates, then enroll.
yum update -y || true
systemctl start zpa-connector

# After enrolling, the connector downloads its current build; restart so it runs that build.
sleep 60
systemctl restart zpa-connector
"""

_SERVICE_EDGE_TEMPLATE = """#!/bin/bash
# Private Service Edge enrollment (rendered by pulumi_zpa_pkeys.userdata).
set -euo pipefail

# The image starts the service edge at boot; stop it until the key is in place.
systemctl stop zpa-service-edge || true

# A quoted here-document: the shell expands nothing inside the key.
mkdir -p {directory}
cat > {path} <<'{delimiter}'
{key}
{delimiter}
chmod 0644 {path}

# Enroll, then apply OS updates in the background (they must not delay enrollment).
systemctl start zpa-service-edge
nohup yum update -y > /var/log/yum-update.log 2>&1 &
"""


@dataclass(frozen=True)
class _Image:
    function: str
    path: str
    template: str


_APP_CONNECTOR = _Image("app_connector_user_data", PROVISION_KEY_PATH, _APP_CONNECTOR_TEMPLATE)
_SERVICE_EDGE = _Image(
    "service_edge_user_data", SERVICE_EDGE_PROVISION_KEY_PATH, _SERVICE_EDGE_TEMPLATE
)


def _render_for(image: _Image, key: str | None) -> str:
    """The script for ``image`` with ``key``; no message ever contains the key."""
    if not key or not key.strip():
        raise ValueError(
            f"{image.function}: the provisioning key value is empty (an adopted "
            "non-exportable key cannot be read back); create a new exportable key instead"
        )
    key = key.strip()
    if any(c in key for c in "\r\n\0") or _DELIMITER in key:
        raise ValueError(
            f"{image.function}: the provisioning key contains a line break or NUL; "
            "refusing to render user data"
        )
    directory = image.path.rsplit("/", 1)[0]
    return image.template.format(
        directory=directory, path=image.path, delimiter=_DELIMITER, key=key
    )


def _render(key: str | None) -> str:
    """The App Connector script with ``key``."""
    return _render_for(_APP_CONNECTOR, key)


def _render_service_edge(key: str | None) -> str:
    """The Private Service Edge script with ``key``."""
    return _render_for(_SERVICE_EDGE, key)


def app_connector_user_data(provisioning_key: pulumi.Input[str | None]) -> pulumi.Output[str]:
    """The App Connector user-data script (bash, for cloud-init) that enrolls with this key.

    Pass `ProvisioningKey.provisioning_key` (or any string Input). The returned Output is always
    secret. The key is written verbatim to `/opt/zscaler/var/provision_key` and the
    `zpa-connector` service is restarted.

    :raises ValueError: (when the Output resolves) the key is empty or spans several lines.
    """
    rendered = pulumi.Output.from_input(provisioning_key).apply(_render)
    return pulumi.Output.secret(rendered)


def service_edge_user_data(provisioning_key: pulumi.Input[str | None]) -> pulumi.Output[str]:
    """The Private Service Edge user-data script (bash, for cloud-init) that enrolls with this
    key (a `SERVICE_EDGE_GRP` key).

    Pass `ProvisioningKey.provisioning_key` (or any string Input). The returned Output is always
    secret. The key is written verbatim to `/opt/zscaler/var/service-edge/provision_key`
    (mode 0644) and the `zpa-service-edge` service is started with it.

    :raises ValueError: (when the Output resolves) the key is empty or spans several lines.
    """
    rendered = pulumi.Output.from_input(provisioning_key).apply(_render_service_edge)
    return pulumi.Output.secret(rendered)

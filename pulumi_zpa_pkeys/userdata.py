"""User data for the Zscaler App Connector VM image, built from a provisioning key Output.

The App Connector images on the cloud marketplaces (AWS, Azure, GCP) start the `zpa-connector`
service at boot and enroll as soon as `/opt/zscaler/var/provision_key` holds a key. The script
rendered here writes that file and restarts the service, as Zscaler's deployment guides do.

The result is always a secret `Output`: the key is a credential, so the user data built from it
must stay encrypted in the stack's state and hidden in previews even when the caller passed a
plain string.
"""

from __future__ import annotations

import pulumi

__all__ = ["PROVISION_KEY_PATH", "app_connector_user_data"]

#: Where the App Connector reads its provisioning key on first start.
PROVISION_KEY_PATH = "/opt/zscaler/var/provision_key"

_DELIMITER = "ZPA_PROVISIONING_KEY_EOF"

_TEMPLATE = """#!/bin/bash
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


def _render(key: str | None) -> str:
    if not key:
        # The message must not contain the key; there is none here anyway.
        raise ValueError(
            "app_connector_user_data: the provisioning key value is empty (an adopted "
            "non-exportable key cannot be read back); create a new exportable key instead"
        )
    key = key.strip()
    if any(c in key for c in "\r\n\0") or _DELIMITER in key:
        raise ValueError(
            "app_connector_user_data: the provisioning key contains a line break or NUL; "
            "refusing to render user data"
        )
    directory = PROVISION_KEY_PATH.rsplit("/", 1)[0]
    return _TEMPLATE.format(
        directory=directory, path=PROVISION_KEY_PATH, delimiter=_DELIMITER, key=key
    )


def app_connector_user_data(provisioning_key: pulumi.Input[str | None]) -> pulumi.Output[str]:
    """The App Connector user-data script (bash, for cloud-init) that enrolls with this key.

    Pass `ProvisioningKey.provisioning_key` (or any string Input). The returned Output is always
    secret. The key is written verbatim to `/opt/zscaler/var/provision_key` and the
    `zpa-connector` service is restarted.

    :raises ValueError: (when the Output resolves) the key is empty or spans several lines.
    """
    rendered = pulumi.Output.from_input(provisioning_key).apply(_render)
    return pulumi.Output.secret(rendered)

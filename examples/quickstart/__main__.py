"""Quickstart: one ZPA provisioning key for an App Connector group.

Looks up the tenant's "Connector" enrollment certificate by name, creates a provisioning key for
the App Connector group named in stack config, and exports the key's id and (secret) value.

    pulumi config set appConnectorGroupId 216196257331300001   # a string: 18-digit ids
    pulumi up

Credentials come from `zpa:*` config or the usual env vars (docs/configuration.md).

Try it without a tenant: `make example NAME=quickstart` runs it on the bundled ZPA emulator
(stack config: Pulumi.emulator.yaml), with the Pulumi CLI if it is installed or through the
Pulumi SDK's provider host if not, then deletes what it made.
"""

import pulumi

from pulumi_zpa_pkeys import ProvisioningKey, get_enrollment_cert_output

config = pulumi.Config()
# Keep ids as strings: an 18-digit id loses digits as a number on Pulumi's wire.
group_id = config.require("appConnectorGroupId")
max_usage = config.get_int("maxUsage") or 2

connector_cert = get_enrollment_cert_output(name="Connector")

key = ProvisioningKey(
    "connector-key",
    association_type="CONNECTOR_GRP",
    # The stack name keeps two stacks of this program from fighting over one key name.
    name=f"quickstart-{pulumi.get_stack()}",
    max_usage=max_usage,
    enrollment_cert_id=connector_cert.apply(lambda cert: cert.id),
    zcomponent_id=group_id,
)

pulumi.export("key_id", key.id)
pulumi.export("key_name", key.name)
# `provisioning_key` is a secret output: `pulumi stack output` shows [secret] unless asked
# with --show-secrets, and the state holds it encrypted.
pulumi.export("provisioning_key", key.provisioning_key)

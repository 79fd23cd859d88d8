"""A connector provisioning key in each of two ZPA tenants, from one stack.

Each tenant's settings live in their own Pulumi config namespace; resources and lookups name it
with `tenant` (only that name is stored in the state, never a credential):

    pulumi config set zpa:clientId ... --secret          # the default tenant ("zpa")
    pulumi config set zpa:clientSecret --secret
    pulumi config set zpa:vanityDomain acme
    pulumi config set zpa:customerId 216196257331281920
    pulumi config set zpa-emea:clientId ... --secret     # the second tenant ("zpa-emea")
    pulumi config set zpa-emea:clientSecret --secret
    pulumi config set zpa-emea:vanityDomain acme-emea
    pulumi config set zpa-emea:customerId 216196257331299999
    pulumi config set appConnectorGroupId 216196257331300001       # in the default tenant
    pulumi config set emeaAppConnectorGroupId 216196257331300001   # in zpa-emea
    pulumi up

Try it without a tenant: `make example NAME=two-tenants` runs it on the bundled ZPA emulator
(stack config: Pulumi.emulator.yaml), with the Pulumi CLI if it is installed or through the
Pulumi SDK's provider host if not, then deletes what it made.
"""

import pulumi

from pulumi_zpa_pkeys import ProvisioningKey, get_enrollment_cert_output

config = pulumi.Config()
TENANTS = {
    # tenant (config namespace) -> the App Connector group of that tenant (stack config key)
    "zpa": config.require("appConnectorGroupId"),
    "zpa-emea": config.require("emeaAppConnectorGroupId"),
}

for tenant, group_id in TENANTS.items():
    cert = get_enrollment_cert_output(name="Connector", tenant=tenant)
    key = ProvisioningKey(
        f"connectors-{tenant}",
        tenant=tenant,
        association_type="CONNECTOR_GRP",
        name=f"connectors-{pulumi.get_stack()}",
        max_usage=2,
        enrollment_cert_id=cert.apply(lambda c: c.id),
        zcomponent_id=group_id,
    )
    pulumi.export(f"{tenant}_key_id", key.id)
    pulumi.export(f"{tenant}_provisioning_key", key.provisioning_key)  # secret

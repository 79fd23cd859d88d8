"""A ZPA API key for a CI job: the client id and secret the legacy front door signs in with.

    pulumi config set roleId 28              # the ZPA admin role the key acts as (a string)
    pulumi config set keyRotation 2027-Q1    # change it to rotate the secret (replaces the key)
    pulumi up
    pulumi stack output client_secret --show-secrets

ZPA shows the secret only when the key is created: the stack keeps it (encrypted) from there.
Credentials come from `zpa:*` config or the usual env vars (docs/configuration.md).

Try it without a tenant: `make example NAME=api-key` runs it on the bundled ZPA emulator (stack
config: Pulumi.emulator.yaml), with the Pulumi CLI if it is installed or through the Pulumi
SDK's provider host if not, then deletes what it made.
"""

import pulumi

from pulumi_zpa_pkeys import ApiKey

config = pulumi.Config()

key = ApiKey(
    "ci",
    # The stack name keeps two stacks of this program from fighting over one key name.
    name=f"ci-{pulumi.get_stack()}",
    role_id=config.require("roleId"),
    token_expiry_time_in_sec=config.get_int("tokenExpirySeconds") or 3600,
    # Never sent to ZPA; any change replaces the key, so rotation is one config change.
    keepers={"rotation": config.get("keyRotation") or "initial"},
)

pulumi.export("client_id", key.client_id)
# A secret output: `pulumi stack output` shows [secret] unless asked with --show-secrets.
pulumi.export("client_secret", key.client_secret)

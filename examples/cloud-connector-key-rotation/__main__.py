"""Rotate the Cloud & Branch Connector (ZTW) cloud service API key and hand the new value to the
Cloud Connector VMs.

Cloud Connectors deployed on AWS read their API credentials from one AWS Secrets Manager secret,
a JSON object {"api_key": ..., "username": ..., "password": ...} whose name the deployment
template is given. This stack adopts the organisation's ZTW key, regenerates it in place
whenever `keyRotation` changes (then activates the change), and writes the current value into
that secret, so that one config change rotates the key and updates what the VMs read. The key
stays a secret end to end: in the stack's state, in the preview, and in the secret's value.

    pulumi config set keyRotation 2027-Q1            # change it to rotate (e.g. each quarter)
    pulumi config set ccUsername cc-admin@example.com   # the Cloud Connector admin
    pulumi config set --secret ccPassword ...
    pulumi config set secretId ZS/CC/credentials/prod   # an existing secret (optional; without
                                                        # it the stack creates one)
    pulumi up

Sign in to ZTW with OneAPI (`pulumi config set ztw:clientId ...`, `--secret ztw:clientSecret`,
`ztw:vanityDomain`): legacy sign-in (`ztw:apiKey`, `ztw:username`, `ztw:password`,
`ztw:cloud`) works too, but it uses the very key this stack rotates, so after each rotation
`ztw:apiKey` must be set to the new value before the next run (the provider says so).

Removing the key from the stack (or `pulumi destroy`) leaves it as it is: the API cannot
delete an organisation's key, and the Cloud Connectors would lose their access.

Try it without a tenant or an AWS account: `make example NAME=cloud-connector-key-rotation`
runs it on the bundled emulator (stack config: Pulumi.emulator.yaml; the emulator's ZTW is
signed in to with OneAPI), its key through the Pulumi SDK's provider host and the AWS secret
mocked, then destroys the stack (which forgets the key and leaves it in the emulator).

Stack config (project namespace unless noted):

    keyRotation   any string; a new value regenerates the key (default "initial": adopt as is)
    ccUsername    the Cloud Connector admin's user name (required)
    ccPassword    the admin's password (required, secret)
    secretId      the name or ARN of the secret the Cloud Connector template reads (optional)
    secretName    the name of the secret to create when secretId is not set
                  (default ZS/CC/credentials/<stack>)
    aws:region    the AWS region (namespace aws)
"""

import json

import pulumi
import pulumi_aws as aws

from pulumi_zpa_pkeys import CloudServiceApiKey

config = pulumi.Config()
username = config.require("ccUsername")
password = config.require_secret("ccPassword")

key = CloudServiceApiKey(
    "cloud-connector",
    product="ZTW",
    # Never sent to Zscaler; any change regenerates the key in place.
    keepers={"rotation": config.get("keyRotation") or "initial"},
)

existing = config.get("secretId")
if existing:
    secret_id: pulumi.Output[str] = pulumi.Output.from_input(existing)
else:
    secret = aws.secretsmanager.Secret(
        "cloud-connector-credentials",
        name=config.get("secretName") or f"ZS/CC/credentials/{pulumi.get_stack()}",
        description="Cloud Connector API credentials (api_key rotated by Pulumi)",
    )
    secret_id = secret.id


def credentials(values: list[str]) -> str:
    api_key, admin_password = values
    return json.dumps({"api_key": api_key, "username": username, "password": admin_password})


# Output.secret: the value holds the key and the password, whatever the inputs' secrecy.
secret_string = pulumi.Output.secret(pulumi.Output.all(key.key_value, password).apply(credentials))
version = aws.secretsmanager.SecretVersion(
    "cloud-connector-credentials",
    secret_id=secret_id,
    secret_string=secret_string,
)

pulumi.export("key_id", key.key_id)
# A secret output: `pulumi stack output key_value --show-secrets` shows it.
pulumi.export("key_value", key.key_value)
pulumi.export("last_modified_time", key.last_modified_time)
pulumi.export("secret_id", secret_id)
pulumi.export("secret_version_id", version.version_id)

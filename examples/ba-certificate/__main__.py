"""A browser-access certificate: upload a certificate and its private key, then look it up by name.

The certificate PEM (chain allowed) and its private key PEM (unencrypted) come from two files:

    pulumi config set certFile ./portal.crt
    pulumi config set keyFile ./portal.key
    pulumi up

or, to keep the key in the stack's encrypted config instead of a file next to the program:

    cat portal.crt portal.key | pulumi config set certBlob --secret

Either way the resource makes `cert_blob` a secret itself (encrypted in the state, hidden in
previews), sends it to ZPA on create only, and keeps nothing of it in its outputs but a digest.
Credentials come from `zpa:*` config or the usual env vars (docs/configuration.md).

Try it without a tenant: `make example NAME=ba-certificate` runs it on the bundled ZPA emulator
(stack config: Pulumi.emulator.yaml), with the Pulumi CLI if it is installed or through the
Pulumi SDK's provider host if not, then deletes what it made.
"""

from pathlib import Path

import pulumi

from pulumi_zpa_pkeys import BaCertificate, get_ba_certificate_output

config = pulumi.Config()
cert_blob = config.get_secret("certBlob")
if cert_blob is None:
    # Plain strings read from files: BaCertificate marks the input secret on its own.
    cert_blob = (
        Path(config.require("certFile")).read_text() + Path(config.require("keyFile")).read_text()
    )

certificate = BaCertificate(
    "portal",
    # The stack name keeps two stacks of this program from fighting over one name.
    name=f"portal-{pulumi.get_stack()}",
    description="Certificate of the browser-access portal",
    cert_blob=cert_blob,
)

# Look the certificate up by name, as another stack would: once it exists (its id is unknown
# during the preview of a new stack, so the lookup waits for `pulumi up`).
found = pulumi.Output.all(certificate.id, certificate.name).apply(
    lambda values: get_ba_certificate_output(name=values[1])
)

pulumi.export("certificate_id", certificate.id)
pulumi.export("cname", certificate.cname)
pulumi.export("valid_to_in_epoch_sec", certificate.valid_to_in_epoch_sec)
pulumi.export("found_by_name", found.apply(lambda info: info.id))

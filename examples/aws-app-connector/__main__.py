"""App Connectors on AWS EC2: the App Connector group, its provisioning key and the instances,
all in one stack.

The whole ZPA side comes from this package: the key enrolls into the group of the same stack
(`zcomponent_id=group.id`), so Pulumi creates the group first and, on destroy, deletes the key
before the group (ZPA refuses to delete a group that a key still enrolls into). The key's value
never leaves Pulumi's secrets: `app_connector_user_data` renders the App Connector user-data
script from the key Output and returns it as a secret, so the instance's `user_data` is
encrypted in the state and hidden in previews.

Stack config (project namespace unless noted):

    location             where the connectors run, as ZPA shows it, e.g. "Frankfurt, Germany"
                         (required)
    latitude, longitude  the group's coordinates in decimal degrees, e.g. 50.1109 and 8.6821
                         (required: ZPA picks the Service Edges nearest to them)
    subnetId             subnet for the instances (required)
    securityGroupIds     JSON list of security group ids (optional)
    instanceCount        number of App Connector instances (default 2; also the key's max_usage)
    instanceType         EC2 instance type (default m5.large, Zscaler's recommended size)
    amiId                App Connector AMI (default: the latest Zscaler App Connector image
                         from the AWS Marketplace; subscribe to it first)
    aws:region           the AWS region (namespace aws)

Try it without a tenant or an AWS account: `make example NAME=aws-app-connector` runs it on the
bundled ZPA emulator (stack config: Pulumi.emulator.yaml), its ZPA group and key created through
the Pulumi SDK's provider host and its AWS resources mocked (nothing is created in AWS), then
deletes what it made.
"""

import pulumi
import pulumi_aws as aws

from pulumi_zpa_pkeys import AppConnectorGroup, ProvisioningKey, get_enrollment_cert_output
from pulumi_zpa_pkeys.userdata import app_connector_user_data

# Marketplace product code of "Zscaler Private Access App Connector", as used by Zscaler's own
# Terraform module (terraform-aws-zpa-app-connector-modules). Check it against the listing you
# subscribed to, or set `amiId`.
APP_CONNECTOR_PRODUCT_CODE = "3n2udvk6ba2lglockhnetlujo"

config = pulumi.Config()
subnet_id = config.require("subnetId")
security_group_ids = config.get_object("securityGroupIds") or []
instance_count = config.get_int("instanceCount") or 2
instance_type = config.get("instanceType") or "m5.large"

ami_id = (
    config.get("amiId")
    or aws.ec2.get_ami_output(
        most_recent=True,
        owners=["aws-marketplace"],
        filters=[
            aws.ec2.GetAmiFilterArgs(name="product-code", values=[APP_CONNECTOR_PRODUCT_CODE])
        ],
    ).id
)

group = AppConnectorGroup(
    "app-connectors",
    # The stack name keeps two stacks of this program apart in one tenant.
    name=f"aws-app-connectors-{pulumi.get_stack()}",
    description="App Connectors on AWS EC2, managed by Pulumi",
    location=config.require("location"),
    latitude=config.require("latitude"),
    longitude=config.require("longitude"),
)

connector_cert = get_enrollment_cert_output(name="Connector")

# One key for all instances of this stack: max_usage caps how many connectors can enroll with it,
# so a leaked copy of the user data cannot enroll more than that.
key = ProvisioningKey(
    "app-connector-key",
    association_type="CONNECTOR_GRP",
    name=f"aws-app-connectors-{pulumi.get_stack()}",
    max_usage=instance_count,
    enrollment_cert_id=connector_cert.apply(lambda cert: cert.id),
    zcomponent_id=group.id,
)

user_data = app_connector_user_data(key.provisioning_key)

instances = [
    aws.ec2.Instance(
        f"app-connector-{index + 1}",
        ami=ami_id,
        instance_type=instance_type,
        subnet_id=subnet_id,
        vpc_security_group_ids=security_group_ids,
        user_data=user_data,
        # A new key (replacement) must reach new instances: user data runs at first boot only.
        user_data_replace_on_change=True,
        # IMDSv2 only: user data (and so the key) is readable through the metadata service.
        metadata_options=aws.ec2.InstanceMetadataOptionsArgs(
            http_endpoint="enabled", http_tokens="required"
        ),
        tags={"Name": f"zpa-app-connector-{pulumi.get_stack()}-{index + 1}"},
    )
    for index in range(instance_count)
]

pulumi.export("group_id", group.id)
pulumi.export("key_id", key.id)
pulumi.export("instance_ids", [instance.id for instance in instances])
pulumi.export("private_ips", [instance.private_ip for instance in instances])

"""Private Service Edges on AWS EC2: the Service Edge group, its provisioning key and the
instances, all in one stack.

The key is a `SERVICE_EDGE_GRP` key signed by the tenant's "Service Edge" enrollment
certificate and enrolls into the group of the same stack (`zcomponent_id=group.id`): Pulumi
creates the group first and, on destroy, deletes the key before the group. The key's value never
leaves Pulumi's secrets: `service_edge_user_data` renders the Private Service Edge user-data
script from the key Output (it writes `/opt/zscaler/var/service-edge/provision_key` and starts
`zpa-service-edge`) and returns it as a secret.

Stack config (project namespace unless noted):

    location             where the service edges run, as ZPA shows it, e.g. "Frankfurt, Germany"
                         (required)
    latitude, longitude  the group's coordinates in decimal degrees (required: Zscaler Client
                         Connector picks the nearest Service Edge by them)
    subnetId             subnet for the instances (required)
    securityGroupIds     JSON list of security group ids (optional; clients reach a Private
                         Service Edge on TCP 443)
    isPublic             whether clients outside your network may use the group (default false)
    instanceCount        number of Private Service Edge instances (default 2; also the key's
                         max_usage)
    instanceType         EC2 instance type (default m5.large, the default of Zscaler's own AWS
                         module; size by active users: see Zscaler's deployment prerequisites)
    amiId                Private Service Edge AMI (default: the latest Zscaler Private Service
                         Edge image from the AWS Marketplace; subscribe to it first)
    aws:region           the AWS region (namespace aws)

Try it without a tenant or an AWS account: `make example NAME=aws-service-edge` runs it on the
bundled ZPA emulator (stack config: Pulumi.emulator.yaml), its ZPA group and key created through
the Pulumi SDK's provider host and its AWS resources mocked (nothing is created in AWS), then
deletes what it made.
"""

import pulumi
import pulumi_aws as aws

from pulumi_zpa_pkeys import ProvisioningKey, ServiceEdgeGroup, get_enrollment_cert_output
from pulumi_zpa_pkeys.userdata import service_edge_user_data

# Marketplace product code of the "Zscaler Private Access Service Edge" image, as used by
# Zscaler's own Terraform modules (terraform-aws-zpa-private-service-edge-modules). Check it
# against the listing you subscribed to, or set `amiId`.
SERVICE_EDGE_PRODUCT_CODE = "f3xw1xhjj0gvf0o97rfphs0k0"

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
        filters=[aws.ec2.GetAmiFilterArgs(name="product-code", values=[SERVICE_EDGE_PRODUCT_CODE])],
    ).id
)

group = ServiceEdgeGroup(
    "service-edges",
    # The stack name keeps two stacks of this program apart in one tenant.
    name=f"aws-service-edges-{pulumi.get_stack()}",
    description="Private Service Edges on AWS EC2, managed by Pulumi",
    location=config.require("location"),
    latitude=config.require("latitude"),
    longitude=config.require("longitude"),
    is_public=config.get_bool("isPublic") or False,
)

service_edge_cert = get_enrollment_cert_output(name="Service Edge")

# One key for all instances of this stack: max_usage caps how many service edges can enroll
# with it, so a leaked copy of the user data cannot enroll more than that.
key = ProvisioningKey(
    "service-edge-key",
    association_type="SERVICE_EDGE_GRP",
    name=f"aws-service-edges-{pulumi.get_stack()}",
    max_usage=instance_count,
    enrollment_cert_id=service_edge_cert.apply(lambda cert: cert.id),
    zcomponent_id=group.id,
)

user_data = service_edge_user_data(key.provisioning_key)

instances = [
    aws.ec2.Instance(
        f"service-edge-{index + 1}",
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
        tags={"Name": f"zpa-service-edge-{pulumi.get_stack()}-{index + 1}"},
    )
    for index in range(instance_count)
]

pulumi.export("group_id", group.id)
pulumi.export("key_id", key.id)
pulumi.export("instance_ids", [instance.id for instance in instances])
pulumi.export("private_ips", [instance.private_ip for instance in instances])

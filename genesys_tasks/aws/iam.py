"""IAM: the function's execution role and its policies; the OIDC provider and role CI deploys through."""

from __future__ import annotations

from .base import Adapter, operation


class IamAdapter(Adapter):
    service = "iam"

    get_role = operation("get_role", "RoleName", missing_ok=True)
    get_role_policy = operation("get_role_policy", "RoleName")
    create_role = operation("create_role", "RoleName")
    attach_role_policy = operation("attach_role_policy", "RoleName")
    detach_role_policy = operation("detach_role_policy", "RoleName")
    put_role_policy = operation("put_role_policy", "RoleName")
    delete_role_policy = operation("delete_role_policy", "RoleName")
    delete_role = operation("delete_role", "RoleName")
    tag_role = operation("tag_role", "RoleName")  # adopting a role marks it as genesys's
    untag_role = operation("untag_role", "RoleName")  # tags taken out of [tags]
    update_assume_role_policy = operation("update_assume_role_policy", "RoleName")  # repairing the trust
    list_roles = operation("list_roles", "roles")  # `genesys config verify`: does IAM answer
    # `genesys ci bootstrap-oidc`: the identity provider a CI system's tokens are checked against
    get_open_id_connect_provider = operation("get_open_id_connect_provider", "OpenIDConnectProviderArn",
                                             missing_ok=True)
    create_open_id_connect_provider = operation("create_open_id_connect_provider", "Url")
    add_client_id_to_open_id_connect_provider = operation("add_client_id_to_open_id_connect_provider",
                                                          "OpenIDConnectProviderArn")
    tag_open_id_connect_provider = operation("tag_open_id_connect_provider", "OpenIDConnectProviderArn")
    # the permissions boundary every role genesys creates from CI carries (``deploy.ci_policies``)
    get_policy = operation("get_policy", "PolicyArn", missing_ok=True)
    get_policy_version = operation("get_policy_version", "PolicyArn")
    create_policy = operation("create_policy", "PolicyName")
    create_policy_version = operation("create_policy_version", "PolicyArn")
    delete_policy_version = operation("delete_policy_version", "PolicyArn")
    tag_policy = operation("tag_policy", "PolicyArn")
    put_role_permissions_boundary = operation("put_role_permissions_boundary", "RoleName")

    def list_policy_versions(self, PolicyArn: str) -> list[dict]:
        return self.collect("list_policy_versions", PolicyArn, "Versions", PolicyArn=PolicyArn)

    def list_attached_role_policies(self, RoleName: str) -> list[dict]:
        return self.collect("list_attached_role_policies", RoleName, "AttachedPolicies", RoleName=RoleName)

    def list_role_policies(self, RoleName: str) -> list[str]:
        return self.collect("list_role_policies", RoleName, "PolicyNames", RoleName=RoleName)

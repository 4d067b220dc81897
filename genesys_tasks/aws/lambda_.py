"""Lambda: functions, layer versions, function URLs, resource policies and event source mappings.

CreateFunction, UpdateFunctionConfiguration and CreateEventSourceMapping wait (bounded)
while IAM propagates a new role or new poller permissions; the adapter's ``notify``
callback hears once that it is waiting.
"""

from __future__ import annotations

from ..errors import AwsError
from .base import Adapter, operation

ROLE_NOT_READY = "cannot be assumed by Lambda"
ROLE_FIX = {
    (ROLE_NOT_READY,): "else check its trust policy allows lambda.amazonaws.com",
}
# CreateEventSourceMapping's answers while the role's poller permissions are missing or still propagating
POLLER_NOT_READY = ("execution role does not have permissions", "Please ensure the role can perform")
ROLE_FIX[POLLER_NOT_READY] = ("else give the role the poller permissions (genesys adds them to a role it manages; "
                              "with [iam] auto_manage = false attach AWSLambdaSQSQueueExecutionRole or "
                              "AWSLambdaDynamoDBExecutionRole yourself)")


class LambdaAdapter(Adapter):
    service = "lambda"

    get_function = operation("get_function", "FunctionName", missing_ok=True)
    get_function_configuration = operation("get_function_configuration", "FunctionName", missing_ok=True)
    get_function_url_config = operation("get_function_url_config", "FunctionName", missing_ok=True)
    get_policy = operation("get_policy", "FunctionName", missing_ok=True)
    get_layer_version = operation("get_layer_version", "LayerName", missing_ok=True)  # [function] layers
    publish_layer_version = operation("publish_layer_version", "LayerName")
    delete_layer_version = operation("delete_layer_version", "LayerName")
    update_function_code = operation("update_function_code", "FunctionName")
    tag_resource = operation("tag_resource", "Resource")
    untag_resource = operation("untag_resource", "Resource")
    # versions and aliases
    publish_version = operation("publish_version", "FunctionName")
    get_alias = operation("get_alias", "Name", missing_ok=True)
    create_alias = operation("create_alias", "Name")
    update_alias = operation("update_alias", "Name")
    # [function] settings kept outside the function's configuration
    get_function_concurrency = operation("get_function_concurrency", "FunctionName", missing_ok=True)
    put_function_concurrency = operation("put_function_concurrency", "FunctionName")
    delete_function_concurrency = operation("delete_function_concurrency", "FunctionName")
    get_function_event_invoke_config = operation("get_function_event_invoke_config", "FunctionName", missing_ok=True)
    put_function_event_invoke_config = operation("put_function_event_invoke_config", "FunctionName")
    delete_function_event_invoke_config = operation("delete_function_event_invoke_config", "FunctionName")
    create_function_url_config = operation("create_function_url_config", "FunctionName")
    update_function_url_config = operation("update_function_url_config", "FunctionName")
    delete_function_url_config = operation("delete_function_url_config", "FunctionName")
    add_permission = operation("add_permission", "FunctionName")
    remove_permission = operation("remove_permission", "FunctionName")
    delete_function = operation("delete_function", "FunctionName")
    list_functions = operation("list_functions", "functions")  # `genesys config verify`: does Lambda answer

    # event source mappings: SQS queues and DynamoDB streams polled by Lambda for the function
    update_event_source_mapping = operation("update_event_source_mapping", "UUID")
    delete_event_source_mapping = operation("delete_event_source_mapping", "UUID")
    list_tags = operation("list_tags", "Resource")
    invoke = operation("invoke", "FunctionName")  # `genesys invoke --remote`

    def list_event_source_mappings(self, FunctionName: str) -> list[dict]:
        return self.collect("list_event_source_mappings", FunctionName, "EventSourceMappings", missing_ok=True,
                            FunctionName=FunctionName) or []

    def create_event_source_mapping(self, **params):
        """CreateEventSourceMapping, waiting (bounded) while the role's poller permissions propagate."""
        return self._waiting_for_role("create_event_source_mapping", params, POLLER_NOT_READY,
                                      "the role's new poller permissions")

    def list_versions_by_function(self, FunctionName: str) -> list[dict]:
        return self.collect("list_versions_by_function", FunctionName, "Versions", missing_ok=True,
                            FunctionName=FunctionName) or []

    def list_aliases(self, FunctionName: str) -> list[dict]:
        return self.collect("list_aliases", FunctionName, "Aliases", missing_ok=True, FunctionName=FunctionName) or []

    def all_functions(self) -> list[dict]:
        """Every function of the region, across pages (ListFunctions)."""
        return self.collect("list_functions", "functions", "Functions")

    def list_layer_versions(self, LayerName: str) -> list[dict]:
        return self.collect("list_layer_versions", LayerName, "LayerVersions", missing_ok=True,
                            LayerName=LayerName) or []

    def create_function(self, **params):
        """CreateFunction, waiting (bounded) while a just-created role propagates through IAM."""
        return self._waiting_for_role("create_function", params)

    def update_function_configuration(self, **params):
        return self._waiting_for_role("update_function_configuration", params)

    def wait_function_updated_v2(self, FunctionName: str) -> None:
        """Block until LastUpdateStatus is Successful, so the next update is accepted."""
        self._wait("function_updated_v2", FunctionName)

    def wait_function_active_v2(self, FunctionName: str) -> None:
        """Block until a new function leaves Pending."""
        self._wait("function_active_v2", FunctionName)

    def wait_published_version_active(self, FunctionName: str, Qualifier: str) -> None:
        """Block until a just-published version leaves Pending (`genesys tune` invokes it next)."""
        self._wait("published_version_active", FunctionName, Qualifier=Qualifier)

    def _wait(self, waiter_name: str, function_name: str, **qualified) -> None:
        waiter = self.client.get_waiter(waiter_name)

        def once():  # through the seam: a poll throttled or left without a reply is retried like any call
            self.log.calls.append(("lambda:GetFunction", False))
            waiter.wait(FunctionName=function_name, **qualified,
                        WaiterConfig={"Delay": self.retry.waiter_delay, "MaxAttempts": self.retry.waiter_attempts})

        self._retrying("lambda:GetFunction", function_name, once, missing_ok=False, write=False)

    def _waiting_for_role(self, name: str, params: dict, markers=(ROLE_NOT_READY,), what: str = "the new role"):
        waited = 0.0
        attempt = 0
        while True:
            try:
                return self.call(name, params["FunctionName"], **params)
            except AwsError as err:
                if not any(marker in err.message for marker in markers):
                    raise
                if waited >= self.retry.iam_wait_seconds:
                    err.hint = (f"waited {waited:.0f}s for {what}; if the role just changed, IAM may still be "
                                "propagating it (run again in a minute); " + ROLE_FIX[markers])
                    raise
                if attempt == 0:
                    self.notify(f"waiting for IAM to make {what} usable by Lambda…")
                delay = self.retry.delay(attempt)
                self.retry.sleep(delay)
                waited += delay
                attempt += 1

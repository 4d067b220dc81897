"""Lambda: functions, layer versions, function URLs and resource policies."""

from __future__ import annotations

from .. import ui
from ..errors import AwsError
from .base import Adapter, operation

ROLE_NOT_READY = "cannot be assumed by Lambda"


class LambdaAdapter(Adapter):
    service = "lambda"

    get_function = operation("get_function", "FunctionName", missing_ok=True)
    get_function_url_config = operation("get_function_url_config", "FunctionName", missing_ok=True)
    get_policy = operation("get_policy", "FunctionName", missing_ok=True)
    publish_layer_version = operation("publish_layer_version", "LayerName")
    delete_layer_version = operation("delete_layer_version", "LayerName")
    update_function_code = operation("update_function_code", "FunctionName")
    tag_resource = operation("tag_resource", "Resource")
    create_function_url_config = operation("create_function_url_config", "FunctionName")
    update_function_url_config = operation("update_function_url_config", "FunctionName")
    delete_function_url_config = operation("delete_function_url_config", "FunctionName")
    add_permission = operation("add_permission", "FunctionName")
    remove_permission = operation("remove_permission", "FunctionName")
    delete_function = operation("delete_function", "FunctionName")

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

    def _wait(self, waiter_name: str, function_name: str) -> None:
        waiter = self.client.get_waiter(waiter_name)
        self.log.calls.append(("lambda:GetFunction", False))
        try:
            waiter.wait(FunctionName=function_name,
                        WaiterConfig={"Delay": self.retry.waiter_delay, "MaxAttempts": self.retry.waiter_attempts})
        except Exception as err:  # noqa: BLE001
            raise self.translate(err, "lambda:GetFunction", function_name) from None

    def _waiting_for_role(self, name: str, params: dict):
        waited = 0.0
        attempt = 0
        while True:
            try:
                return self.call(name, params["FunctionName"], **params)
            except AwsError as err:
                if ROLE_NOT_READY not in err.message:
                    raise
                if waited >= self.retry.iam_wait_seconds:
                    err.hint = (f"waited {waited:.0f}s; if the role is new, IAM may still be propagating it "
                                "(run again in a minute); else check its trust policy allows lambda.amazonaws.com")
                    raise
                if attempt == 0:
                    ui.info("  waiting for IAM to make the new role usable by Lambda…")
                delay = self.retry.delay(attempt)
                self.retry.sleep(delay)
                waited += delay
                attempt += 1



"""API Gateway v2: HTTP APIs with their integrations, routes and stages."""

from __future__ import annotations

from .base import Adapter, operation


class ApiGatewayV2Adapter(Adapter):
    service = "apigateway"

    create_api = operation("create_api", "Name")
    delete_api = operation("delete_api", "ApiId")
    create_integration = operation("create_integration", "ApiId")
    create_route = operation("create_route", "ApiId")
    delete_route = operation("delete_route", "ApiId")
    create_stage = operation("create_stage", "ApiId")

    def get_apis(self) -> list[dict]:
        return self.collect("get_apis", "HTTP APIs", "Items")

    def get_integrations(self, ApiId: str) -> list[dict]:
        return self.collect("get_integrations", ApiId, "Items", ApiId=ApiId)

    def get_routes(self, ApiId: str) -> list[dict]:
        return self.collect("get_routes", ApiId, "Items", ApiId=ApiId)

    def get_stages(self, ApiId: str) -> list[dict]:
        return self.collect("get_stages", ApiId, "Items", ApiId=ApiId)

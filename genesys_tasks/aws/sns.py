"""SNS: a trigger's topic and the function's subscription to it."""

from __future__ import annotations

from .base import Adapter, operation


class SnsAdapter(Adapter):
    service = "sns"

    get_topic_attributes = operation("get_topic_attributes", "TopicArn", missing_ok=True)
    subscribe = operation("subscribe", "TopicArn")
    unsubscribe = operation("unsubscribe", "SubscriptionArn")

    def list_subscriptions_by_topic(self, TopicArn: str) -> list[dict] | None:
        return self.collect("list_subscriptions_by_topic", TopicArn, "Subscriptions", missing_ok=True,
                            TopicArn=TopicArn)

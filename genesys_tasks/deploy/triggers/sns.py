"""SNS triggers: the function's subscription to a topic, and the invoke permission SNS needs
(``genesys-sns-<topic>``, scoped to the topic).

A topic may be named (in the function's region and account) or given as an ARN of that region
(genesys calls SNS in the function's region only); one that does not exist is a ``ConfigError``
naming it and its line, before any write. A topic this function was subscribed to before (found
through its permission) is read too, so removing a trigger unsubscribes it. A subscription of the function's other ARN (unqualified, or another alias
genesys made) is replaced by one of the ARN the triggers invoke now.

Subscriptions carry no tags: genesys knows one as its own by the permission it adds with it. A
subscription of the function to a topic the TOML names, without that permission (someone
subscribed it by hand, or another tool did), is a conflict unless adopted, since genesys would
otherwise take it for its own and unsubscribe it on removal or delete.
"""

from __future__ import annotations

from ..model import Plan
from ..ownership import conflict
from .common import TriggerState, check_same_region, missing, sid_part, statement_source, trigger_where

OTHER_REGION = "genesys subscribes a function only to topics of its own region (it calls SNS there)"

SID_PREFIX = "genesys-sns-"
STATEMENT_ID = SID_PREFIX + r"[A-Za-z0-9_-]{1,80}"  # SID_PREFIX + sid_part(topic name)


def topic_arn(topic: str, region: str, account: str) -> str:
    return topic if topic.startswith("arn:") else f"arn:aws:sns:{region}:{account}:{topic}"


def statement_id(arn: str) -> str:
    return f"{SID_PREFIX}{sid_part(arn.rsplit(':', 1)[-1])}"


def statements(spec, triggers, region: str, account: str) -> dict:
    wanted = {}
    for trigger in triggers:
        arn = topic_arn(trigger.get("topic"), region, account)
        wanted[statement_id(arn)] = {
            "Action": "lambda:InvokeFunction", "Principal": "sns.amazonaws.com", "SourceArn": arn}
    return wanted


def read_state(spec, clients, triggers, state: TriggerState) -> None:
    topics = {}  # topic ARN → the trigger naming it (None: wired before, found through its permission)
    for trigger in triggers:
        if trigger.get("topic").startswith("arn:"):  # else looked up in the deploy region as not found
            check_same_region(spec, trigger, "topic", state.region, OTHER_REGION)
        topics.setdefault(topic_arn(trigger.get("topic"), state.region, state.account), trigger)
    for sid, statement in state.statements.items():
        source = statement_source(statement) or ""
        if sid.startswith(SID_PREFIX) and source.startswith("arn:aws:sns:"):
            topics.setdefault(source, None)
    for arn, trigger in topics.items():
        if trigger is not None and clients.sns.get_topic_attributes(TopicArn=arn) is None:
            raise missing(spec, trigger, "topic", "SNS topic", state.region)
        subscriptions = [s for s in clients.sns.list_subscriptions_by_topic(TopicArn=arn) or []
                         if s.get("Protocol") == "lambda" and s.get("Endpoint") in state.function_arns]
        state.subscriptions[arn] = [s["SubscriptionArn"] for s in subscriptions
                                    if s["Endpoint"] == state.function_arn]
        state.stale_subscriptions[arn] = [s["SubscriptionArn"] for s in subscriptions
                                          if s["Endpoint"] != state.function_arn]


def plan(plan: Plan, spec, triggers, state: TriggerState) -> None:
    wanted = {topic_arn(t.get("topic"), state.region, state.account): t for t in triggers}
    for arn, subscriptions in sorted(state.subscriptions.items()):
        resource = f"sns trigger {arn.rsplit(':', 1)[-1]}"
        stale = state.stale_subscriptions.get(arn, [])
        adopting = arn in wanted and bool(subscriptions or stale) and statement_id(arn) not in state.statements
        if adopting and not state.adopt:
            raise conflict(f"the subscription of {state.function_name} to SNS topic {arn}",
                           [], ["unsubscribe it (aws sns unsubscribe --subscription-arn "
                                f"{(subscriptions or stale)[0]})"], trigger_where(spec, wanted[arn], "topic"))
        gone = stale if arn in wanted else stale + subscriptions
        if arn in wanted and not subscriptions:  # the new subscription first: no message goes unheard
            plan.call("sns", "subscribe", resource, TopicArn=arn, Protocol="lambda", Endpoint=state.function_arn)
        for subscription in gone:
            plan.call("sns", "unsubscribe", resource, SubscriptionArn=subscription)
        if arn in wanted and not subscriptions:
            plan.change(resource, "update" if stale else "create",
                        [("Endpoint", None, state.function_arn)] if stale else [("TopicArn", None, arn)])
        elif arn in wanted:
            plan.change(resource, "adopt" if adopting else "no change")
        elif gone:
            plan.change(resource, "delete", [("TopicArn", arn, None)])

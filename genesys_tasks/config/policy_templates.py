"""The IAM policy templates users name in ``[iam] required_policies``, as data.

Each row says what a template grants: an AWS managed policy where a narrow one
exists, otherwise the actions of an inline document, and which ``[iam.resources]``
list scopes it. The loader checks names against this table; ``deploy/policies.py``
turns rows into IAM documents.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Template:
    """One policy template: the actions it grants and the resource kind that scopes them."""

    id: str
    name: str
    managed_arn: str | None
    actions: tuple[str, ...]
    kind: str  # which [iam.resources] list scopes it: logs | s3 | dynamodb | sqs | sns


TEMPLATES = (
    Template("logs", "Basic CloudWatch Logs access",
             "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
             ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"), "logs"),
    Template("s3-read", "S3 read access", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
             ("s3:GetObject", "s3:ListBucket"), "s3"),
    Template("s3-rw", "S3 read/write access", None,
             ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"), "s3"),
    Template("dynamodb-read", "DynamoDB read access", "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess",
             ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan",
              "dynamodb:DescribeTable"), "dynamodb"),
    Template("dynamodb-rw", "DynamoDB read/write access", None,
             ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan",
              "dynamodb:DescribeTable", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
              "dynamodb:BatchWriteItem"), "dynamodb"),
    Template("sqs-rw", "SQS read/write access", None,
             ("sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
              "sqs:GetQueueAttributes", "sqs:GetQueueUrl"), "sqs"),
    Template("sns-publish", "SNS publish access", None, ("sns:Publish",), "sns"),
)
BY_KEY = {key: t for t in TEMPLATES for key in (t.id, t.name.lower())}


def lookup_template(entry: str) -> Template | None:
    """The template a user's entry names (its id or its name, any case), or None."""
    return BY_KEY.get(entry.strip().lower())

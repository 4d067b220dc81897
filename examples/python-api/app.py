"""A small HTTP API handler: returns the parsed date from the query string, or now."""

import json
from datetime import datetime, timezone

from dateutil import parser


def lambda_handler(event, context):
    params = (event or {}).get("queryStringParameters") or {}
    when = parser.isoparse(params["date"]) if "date" in params else datetime.now(timezone.utc)
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({"date": when.isoformat(), "weekday": when.strftime("%A")}),
    }

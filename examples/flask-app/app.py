"""A Flask app served by Lambda: the function URL's event becomes a WSGI request to the app."""

import base64

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(message=f"hello, {request.args.get('name', 'world')}")


def lambda_handler(event, context):
    """Pass a function URL (payload 2.0) event to the Flask app and its response back."""
    http = event.get("requestContext", {}).get("http", {})
    body = event.get("body") or ""
    data = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
    response = app.test_client().open(http.get("path", "/"), method=http.get("method", "GET"),
                                      query_string=event.get("rawQueryString", ""),
                                      headers=event.get("headers") or {}, data=data)
    return {"statusCode": response.status_code, "headers": dict(response.headers),
            "body": response.get_data(as_text=True)}

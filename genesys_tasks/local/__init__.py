"""Local invoke: the built function run on this machine as Lambda runs it, without Docker.

``scratch`` unpacks the function zip and its layer into a folder laid out as Lambda's
(``task/`` for /var/task, ``opt/`` for /opt) and makes Lambda's environment;
``runtime_api`` is the Lambda Runtime API the function's runtime client talks to;
``clients`` says which client runs a language (the official one, installed on first use
into genesys's cache, else a plain call of the handler) and ``process`` drives one
runtime process through invocations (cold start, warm calls, deadlines, the REPORT
line). ``events`` makes sample events and ``http_bridge`` turns HTTP requests into
function-URL events and the responses back. Nothing here deploys or calls AWS.
"""

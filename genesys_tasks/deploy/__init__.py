"""Deployment: from a FunctionSpec and AWS's own state to a plan of API calls, and running it.

The stages and their contracts:

- ``state``     reads what exists (describe/get/list calls only) into plain ``*State`` data.
- ``planner``   spec + state → ``Plan``: plain-data ``ApiCall``s and per-resource ``Change``s.
                No AWS calls. Values not known yet (a new role's ARN) are placeholders.
- ``executor``  the only place that mutates AWS: runs the calls, fills placeholders,
                shows each resource's progress and duration. ``display`` is the dry-run
                executor: it prints the changes and calls nothing.
- ``policies``  the IAM policy templates, as data.
- ``triggers``  S3, SQS, SNS, schedule and DynamoDB stream triggers: their state, their
                invoke and poller permissions, and one sync planner per type.
- ``verify``    ``genesys config verify``: account, region, identity; do Lambda and IAM answer.
- ``writeback`` records the created role in the TOML (tomlkit, comments kept).
- ``model``     the plan as plain data: ``ApiCall``, ``Change``, ``Plan`` and the placeholders.
- ``run``       wires the stages together for ``genesys execute/delete`` and the doit tasks.
- ``commands``  ``genesys execute`` and ``genesys delete``: build, then deploy or delete, and report.
- ``tasks``     doit task creators: role, layer_publish, deploy, plan, delete.
"""

"""Deployment: from a FunctionSpec and AWS's own state to a plan of API calls, and running it.

The stages and their contracts:

- ``state``     reads what exists (describe/get/list calls only) into plain ``*State`` data.
- ``planner``   spec + state → ``Plan``: plain-data ``ApiCall``s and per-resource ``Change``s,
                one module per resource family. No AWS calls. Values not known yet (a new
                role's ARN) are placeholders.
- ``triggers``  S3, SQS, SNS, schedule and DynamoDB stream triggers: one module per type,
                each reading its state and planning its sync, registered in one table.
- ``policies``  every IAM document genesys writes: the role's templates, trust and pollers.
- ``executor``  running a plan, one interface ``run(plan) -> dict``: ``Executor`` (the only
                place that mutates AWS), ``DisplayExecutor`` and ``CollectingExecutor`` (dry runs).
- ``deployer``  the build's artifact record + read state → plan → the executor it is handed, for
                one function's deploy or delete; a plan naming an operation no adapter has stops there.
- ``session``   the composition root every deploying entry makes once (commands, each doit
                process): options, the one clients factory, regions, role recording, rollout, results.
- ``model``     the plan as plain data: ``ApiCall``, ``Change``, ``Plan`` and the placeholders.
- ``writeback`` records the created role in the TOML (tomlkit, comments kept).
- ``ci_oidc``   the OIDC provider and deploy role a CI pipeline assumes: state → plan, the
                executor handed in (``genesys ci bootstrap-oidc``).

Nothing above but ``session`` prints or imports ``ui``: progress and lines for people go
through the callables the caller hands in; the session reports results through ``ui``.
"""

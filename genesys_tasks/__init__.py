"""genesys: build, package and deploy AWS Lambda functions from one TOML file per function.

The package is layered so that loading and planning stay cheap: ``config`` turns a
TOML file into a frozen ``FunctionSpec`` with no network and no subprocess,
``tasks`` turns specs into doit task dicts, ``build`` and ``deploy`` do the work,
and only ``aws`` imports boto3.
"""

__version__ = "0.1.0"

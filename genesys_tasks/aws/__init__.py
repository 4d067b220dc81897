"""AWS access: the only package that imports boto3. It prints nothing: retries are logged on
the ``genesys.aws`` logger, and a wait a person should hear about goes to ``Clients.notify``.

- ``target``   which account endpoint a command talks to (region, profile, endpoint),
               computed from the environment and the TOML without importing boto3.
- ``session``  the session factory (credential chain, ``[deployment] region/profile``,
               ``AWS_ENDPOINT_URL``) and ``Clients``, the set of service adapters.
- ``base``     the adapter base and its one seam: error translation, retries, the call log.
- ``errors``   botocore exceptions → ``CredentialsError`` (exit 3) / ``AwsError`` (exit 1).
- one adapter per service: ``lambda_``, ``iam``, ``apigatewayv2``, ``s3``, ``sts``, and for
               triggers ``sqs``, ``sns``, ``events``, ``dynamodbstreams``; their
  methods are named after the AWS operation in snake_case.
- ``cache_store`` the shared layer cache's S3 store (``build.cache.RemoteStore``), wired in by ``tasks``.
"""

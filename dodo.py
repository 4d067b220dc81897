"""genesys's own doit entry: every lambda_*.toml under this repo (the examples) as tasks."""

from genesys_tasks.tasks import creators

globals().update(creators())

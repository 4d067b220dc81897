"""The doit layer: every genesys step as a doit task, for a repo's ``dodo.py`` and for the CLI.

- ``graph``: a repo's TOMLs → ``task_*`` creators and DOIT_CONFIG (what ``dodo.py`` loads);
- ``build`` and ``deploy``: the task dicts of one function's build and deploy steps;
- ``on_demand``: ``package`` and the deploy-side tasks, made only when a run asks for one;
- ``action``: a step as a picklable doit action, its failure carrying genesys's exit code;
- ``reporter``: one line per task on stderr, and genesys's exit codes under plain doit;
- ``runner``: the same tasks run in-process by ``genesys lambda build`` and ``execute``.

Nothing below this package imports it.
"""

from .graph import creators, doit_config

__all__ = ["creators", "doit_config"]

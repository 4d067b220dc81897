"""The user-facing verbs, one module each: the only code that prints results.

``cli.py`` parses the arguments and calls one of these; each loads what it needs,
runs the library (tasks, deploy, cicd, wizard, local) and reports to people through
``ui`` or to machines as JSON on stdout. Nothing below this package imports it.
"""

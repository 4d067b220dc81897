"""The wizard: questions → answers → a lambda TOML (tomlkit, a comment on each section).

One table of questions (``questions.QUESTIONS``) drives all three ways in: the terminal
(``genesys interact``, through ``prompts``), a saved answers file (``--replay``) and
command-line flags (``genesys init``). Each way only supplies values; ``collect`` asks
the table in order, checks every value the same way, and returns one ``Answers``.

- ``answers``: the model (``Answers``, ``Source``), saved and replayed as JSON;
- ``questions``: the table, its defaults (from detection) and its checks (from the schema);
- ``sources``: a folder, a git clone or a safely extracted zip, as a local folder;
- secrets: environment values that look like secrets are written as ``${env:NAME}`` (``secret_detector``);
- ``render``: answers → TOML text, the file name, validated by the loader before it is written;
- ``prompts`` and ``flow``: the terminal side (questionary, imported only there).
"""

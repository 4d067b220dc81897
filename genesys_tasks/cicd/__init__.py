"""The CI model: which functions a change touched (``changed``), what each generated job runs
(``model``), and rendering the Jinja templates of the top-level ``templates/`` folder (``render``).

Nothing here talks to AWS. ``git`` runs git, read-only; everything else is plain data.
"""

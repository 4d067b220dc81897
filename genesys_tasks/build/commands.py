"""The old name of ``build_commands``, kept only while ``installers`` still selects that installer as
``"commands"``; delete this file once it says ``"build_commands"``."""

from .build_commands import install, version  # noqa: F401

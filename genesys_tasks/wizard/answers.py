"""The answers model: what a person (or a flag, or a saved file) told the wizard.

``Answers`` is plain data, one field per question of ``questions.QUESTIONS``. It is
saved as JSON (``--save-answers``) and read back (``--replay``) with the same field
names, so a replay asks the same table the same questions and writes the same file.
Pure: reading and writing the answers file are the only I/O here.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from ..errors import ConfigError, Where
from ..paths import write_text_atomic

FORMAT = 1  # the answers file's version


@dataclass
class Source:
    """Where the code comes from: ``kind`` folder | git | zip; ``folder`` is where it is (or goes) locally."""

    kind: str = "folder"
    location: str = "."
    ref: str = ""
    folder: str = "."


@dataclass
class Answers:
    """Every answer, in the order the questions ask them; defaults are the schema's."""

    source: Source = field(default_factory=Source)
    name: str = ""
    runtime: str = ""
    handler: str = ""
    memory_mb: int = 128
    timeout_seconds: int = 3
    environment: dict[str, str] = field(default_factory=dict)
    policies: list[str] = field(default_factory=lambda: ["logs"])
    resources: dict[str, list[str]] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    function_url: bool = False
    auth_type: str = "AWS_IAM"
    cors: bool = False
    triggers: list[dict] = field(default_factory=list)
    build_method: str = "local"
    architectures: list[str] = field(default_factory=lambda: ["x86_64"])
    package_type: str = "zip"
    region: str = ""  # [deployment] region; "" writes none (the region configured where it deploys)

    def to_dict(self) -> dict:
        return {"genesys_answers": FORMAT, **asdict(self)}


FIELDS = tuple(f.name for f in fields(Answers))


def save(answers: Answers, path: Path) -> None:
    """Write the answers as JSON (atomically), for ``genesys interact --replay``."""
    write_text_atomic(path, json.dumps(answers.to_dict(), indent=2) + "\n")


def read(path: Path) -> dict:
    """The saved answers in ``path`` as a dict of field → value; ConfigError naming the file when unreadable."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file", hint="pass the file written by --save-answers") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ConfigError(f"{path}: not an answers file ({err})",
                          hint="pass the JSON file written by `genesys interact --save-answers`") from None
    if not isinstance(data, dict) or data.get("genesys_answers") != FORMAT:
        raise ConfigError(f"{path}: not a genesys answers file (no \"genesys_answers\": {FORMAT})",
                          hint="pass the JSON file written by `genesys interact --save-answers`")
    unknown = sorted(set(data) - set(FIELDS) - {"genesys_answers"})
    if unknown:
        raise ConfigError(f"unknown answer {unknown[0]!r}", where=Where(Path(path), key=unknown[0]),
                          hint="known answers: " + ", ".join(FIELDS))
    if "source" in data:
        data["source"] = source_from(path, data["source"])
    return {k: v for k, v in data.items() if k in FIELDS}


def source_from(path: Path, raw) -> Source:
    known = {f.name for f in fields(Source)}
    if not isinstance(raw, dict) or set(raw) - known or not all(isinstance(v, str) for v in raw.values()):
        raise ConfigError("the source answer must be a table of strings: " + ", ".join(sorted(known)),
                          where=Where(Path(path), key="source"), hint='e.g. {"kind": "folder", "location": "."}')
    return Source(**raw)

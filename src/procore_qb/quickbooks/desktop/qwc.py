"""The ``.qwc`` file that adds procore-qb to the QuickBooks Web Connector.

Elements as in Intuit's sample files and common generators (spec quickbooks-api.md §B.11):
``AppName``, ``AppID``, ``AppURL``, ``AppDescription``, ``AppSupport``, ``UserName``,
``OwnerID``, ``FileID``, ``QBType`` (``QBFS``: QuickBooks financial software), ``Style``,
``Scheduler/RunEveryNMinutes``, ``IsReadOnly``. ``OwnerID`` and ``FileID`` must stay the same
for an installation (changing them makes users authorise again), so they are kept in a file in
the data directory (:func:`installation_ids`). The Web Connector accepts ``https`` URLs, and
``http`` only for ``localhost``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

__all__ = ["QwcConfig", "build_qwc", "check_app_url", "ids_file", "installation_ids"]

IDS_FILE = "webconnector-ids.json"


def check_app_url(url: str) -> str:
    """``url`` if the Web Connector will accept it; ValueError naming the rule otherwise."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname == "localhost":
        return url
    raise ValueError(
        f"AppURL {url!r}: the QuickBooks Web Connector only accepts https URLs, or "
        "http://localhost for an installation on the same machine; serve procore-qb over "
        "https (for example behind a reverse proxy) and use that URL"
    )


def _guid(value: uuid.UUID) -> str:
    return "{" + str(value).upper() + "}"


@dataclass(frozen=True, slots=True)
class QwcConfig:
    app_url: str
    username: str
    owner_id: uuid.UUID
    file_id: uuid.UUID
    app_name: str = "procore-qb"
    app_description: str = "Keeps Procore projects and QuickBooks jobs in sync."
    app_support: str = ""
    run_every_minutes: int = 15

    def __post_init__(self) -> None:
        check_app_url(self.app_url)
        if self.app_support:
            check_app_url(self.app_support)
        if not self.username:
            raise ValueError("the .qwc file needs the Web Connector user name")
        if not 1 <= self.run_every_minutes <= 1440:
            raise ValueError("RunEveryNMinutes must be between 1 and 1440")


def build_qwc(config: QwcConfig) -> str:
    """The ``.qwc`` XML text for ``config``."""
    root = etree.Element("QBWCXML")
    support = config.app_support or f"{config.app_url.rstrip('/')}?wsdl"
    for tag, value in (
        ("AppName", config.app_name),
        ("AppID", ""),
        ("AppURL", config.app_url),
        ("AppDescription", config.app_description),
        ("AppSupport", support),
        ("UserName", config.username),
        ("OwnerID", _guid(config.owner_id)),
        ("FileID", _guid(config.file_id)),
        ("QBType", "QBFS"),
        ("Style", "Document"),
    ):
        etree.SubElement(root, tag).text = value
    scheduler = etree.SubElement(root, "Scheduler")
    etree.SubElement(scheduler, "RunEveryNMinutes").text = str(config.run_every_minutes)
    etree.SubElement(root, "IsReadOnly").text = "false"
    body = etree.tostring(root, encoding="unicode", pretty_print=True)
    return f'<?xml version="1.0"?>\n{body}'


def ids_file(data_dir: Path) -> Path:
    """Where :func:`installation_ids` keeps the IDs."""
    return data_dir / IDS_FILE


def installation_ids(data_dir: Path) -> tuple[uuid.UUID, uuid.UUID]:
    """``(OwnerID, FileID)`` of this installation, created once in ``data_dir``."""
    path = ids_file(data_dir)
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return uuid.UUID(data["owner_id"]), uuid.UUID(data["file_id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(
                f"{path} is damaged ({exc}); restore it from a backup, or delete it to create "
                "new IDs (the Web Connector will then ask to authorise procore-qb again)"
            ) from exc
    owner, file_id = uuid.uuid4(), uuid.uuid4()
    data_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"owner_id": str(owner), "file_id": str(file_id)}, indent=2) + "\n",
        encoding="utf-8",
    )
    return owner, file_id

"""qbXML 13.0 (configurable version) for QuickBooks Desktop: typed request builders
(:mod:`.requests`), message envelopes and response parsing (:mod:`.message`), ``*Ret``
readers (:mod:`.records`) and safe XML parsing (:mod:`.parsing`)."""

from __future__ import annotations

"""QuickBooks Desktop: qbXML messages, the Desktop gateway, the Web Connector session state
machine and its SOAP handling, and the ``.qwc`` file.

QuickBooks Desktop is reached only through the QuickBooks Web Connector, which polls our SOAP
endpoint; commands wait in the ``qb_commands`` outbox until it does. Errors of this package
derive from :class:`procore_qb.quickbooks.desktop.errors.DesktopError`.
"""

from __future__ import annotations

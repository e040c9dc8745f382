"""Two suppliers (ACME and BETA), each with an open 8D case, as the submissions tests set
them up; and small real files of each kind an upload may be."""

from __future__ import annotations

from capaflow.config.attachments import AttachmentsSection
from tests.submissions.conftest import desk  # noqa: F401  (the fixture, shared)

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
       b"\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00"
       b"\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]"
       b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
LIMITS = AttachmentsSection()


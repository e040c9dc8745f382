"""`[defect_codes]` of the policies: the catalogue of defect codes a case is opened with, each
with what it means (docs/architecture.md, "Master data").

The codes are offered on the case-opening form; a code not in the catalogue is still taken
(a line may meet a defect nobody has named yet, and the CLI and intake take free codes), so
the catalogue guides and never refuses.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

MAX_CODES = 500  # a form's list, not a database: a site with more keeps them elsewhere

DefectCode = Annotated[str, StringConstraints(strict=True, strip_whitespace=True,
                                              min_length=1, max_length=100,
                                              pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
Description = Annotated[str, StringConstraints(strict=True, strip_whitespace=True,
                                               min_length=1, max_length=200)]
DefectCodes = Annotated[dict[DefectCode, Description], Field(max_length=MAX_CODES)]

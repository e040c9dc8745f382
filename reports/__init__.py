"""Documents made from a case: one content model (content.py) of the 8D report or PDCA record,
rendered as Markdown (the CLI), a printable HTML page and a PDF (the API and the web app)."""

"""Documents made from a case: the 8D report and the PDCA cycle report, as Markdown."""

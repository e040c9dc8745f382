"""The `capa` command line (Typer + rich): thin, it parses, calls a service, prints."""

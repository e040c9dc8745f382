"""What the two HTTP interfaces (the REST API and the web pages) share: the request's
context, session and clock, the principal, the bounded parameter types and the rendering of
refusals. Neither interface imports the other (docs/architecture.md, "Layers")."""

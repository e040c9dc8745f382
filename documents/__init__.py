"""The contract's documents: what `capa … --json` prints and what the REST API answers, one
module per aggregate, as typed "Public" models (docs/architecture.md, "Read models").

The CLI prints them and the API declares them as `response_model`, so a command and its route
answer the same schema by construction, and OpenAPI describes every response. Field names are
part of the contract: add fields, never rename them.
"""

"""The service desk (docs/architecture.md, "Service desk"): customers and the people who serve
them, service requests taken in, dispatched, held, escalated and resolved under their SLA
clocks, and the follow-up that closes or reopens them."""

"""The use cases of a case's lifecycle: open and step a case (engine), a person's signed step
(decisions), and the sweep that acts on the deadlines that fall due (sweep).

Orchestration over the rules below (statemachines, deadlines, notifications, accounts,
audittrail): docs/architecture.md, "Layers".
"""

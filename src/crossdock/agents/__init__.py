"""Domain agents: each reacts to canonical events and proposes recommendations with a
rationale, the evidence and a confidence (docs/agents.md). Pure: data comes in through
the service layer's ports, proposals go out the same way."""

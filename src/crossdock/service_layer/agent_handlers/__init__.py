"""One module per agent: what it reads (a Protocol the adapters implement), and its
outbox consumer, which turns the agent's pure decision (`crossdock.agents`) into stored,
idempotent proposals. `agent_runtime` lists them."""

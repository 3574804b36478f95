"""Each agent's reads over the canonical tables, one mixin per agent; `agent_store`
combines them with the proposal writes."""

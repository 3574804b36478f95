"""Language models behind the copilot (service_layer/assistant_ports.ChatModel)."""

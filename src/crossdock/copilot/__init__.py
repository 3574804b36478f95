"""The copilot's engine: documents and their passages, retrieval, and grounded answers.

Pure: documents come in as bytes or text, records as the service layer's tool results;
nothing here reads a database, the network or the terminal. Access by role is decided
from plain role names, so the engine does not depend on `crossdock.governance`; the
service layer (`service_layer/knowledge.py`, `service_layer/assistant.py`) applies
governance around it. See docs/copilot.md.
"""

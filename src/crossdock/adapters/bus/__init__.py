"""Message brokers between the outbox and the workers: NATS JetStream."""

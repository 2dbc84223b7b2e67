"""Operations: metrics and tracing wiring, the runtime sampler, backups and restore (`phuket backup`)."""

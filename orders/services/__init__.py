"""Orders commands, split by concern: cart, checkout, lifecycle (fulfilment), payments."""

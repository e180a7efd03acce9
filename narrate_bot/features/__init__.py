"""One module per thing a person does with the bot. Each returns ``Reply`` values."""

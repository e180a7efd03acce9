"""Pure logic with no I/O: words, topics, scores. Easy to test, shared by every feature."""

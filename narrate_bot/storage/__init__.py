"""Persistence: the only package that imports sqlmodel or SQLAlchemy."""

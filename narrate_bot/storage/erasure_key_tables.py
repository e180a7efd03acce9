"""The erasure key's check value for the whole database (``erasure_key``), imported by
``tables.py`` so Alembic sees the table.

One row: an HMAC of a constant with the key the forget-me marks are written with, which tells
nothing of the key nor of anyone. The first process to start writes it; a process started with
another key finds it different and refuses to start (``repositories.check_erasure_key``), so
two replicas never write marks the other can't read, even before any workspace has one.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, String
from sqlmodel import Field, SQLModel

THE_ROW = 1


class ErasureKeyCheck(SQLModel, table=True):
    __tablename__ = "erasure_key_check"

    id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    value: str = Field(sa_column=Column(String(64), nullable=False))

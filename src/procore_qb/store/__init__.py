"""Persistence: SQLAlchemy models, repositories and Alembic migrations (SQLite or PostgreSQL)."""

from __future__ import annotations

"""The Stakemap HTTP service."""

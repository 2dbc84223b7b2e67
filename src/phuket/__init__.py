"""Phuket: REST API and web client for tourists on Phuket."""

__version__ = "0.1.0"

"""Shared kit every feature builds on. Imports no feature package."""

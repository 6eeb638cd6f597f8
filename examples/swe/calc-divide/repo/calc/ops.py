"""Arithmetic helpers."""


def add(a, b):
    return a + b


def divide(a, b):
    """Divides a by b."""
    return a / b

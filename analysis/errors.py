"""Errors raised for bad inputs; each message names the file or parameter and the fix."""


class InputError(RuntimeError):
    """A required input is missing, corrupt or inconsistent with another input."""


class ParameterError(ValueError):
    """A parameter in params.yaml has an invalid value."""

"""The small error hierarchy every part of Payoff raises: messages a user can act on."""

from __future__ import annotations


class PayoffError(Exception):
    """Base of every error Payoff reports to a user as one clear line."""


class InputError(PayoffError):
    """A file cannot be loaded as a whole; names the file and, where known, row and column."""

    def __init__(self, file: str, message: str, *, row: int | None = None, column: str | None = None):
        self.file = file
        self.row = row
        self.column = column
        self.detail = message
        where = file
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {message}")


class MappingError(PayoffError):
    """A column mapping does not fit the file it is applied to."""


class LoadError(PayoffError):
    """A load cannot be found, undone or repeated."""


class ModelError(PayoffError):
    """A statistical model cannot be fitted on the data given."""


class NotLoadedError(PayoffError):
    """What a command needs has not been loaded yet (no outcomes, no panel); says what to load."""

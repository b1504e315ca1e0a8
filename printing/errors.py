"""Printing faults as people read them: a stable code, what happened and what to do, in Vietnamese."""

from __future__ import annotations


class PrintError(Exception):
    code = "print_failed"

    def __init__(self, message: str, *, hint: str = "", code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if code is not None:
            self.code = code

    def for_people(self) -> str:
        message = self.message.rstrip()
        if message and message[-1] not in ".!?:":
            message += "."
        return f"{message} {self.hint}".strip()


class PrinterUrlError(PrintError):
    code = "printer_url"


class PrinterUnreachable(PrintError):
    code = "printer_unreachable"


class PaperOut(PrintError):
    code = "paper_out"


class PrinterOffline(PrintError):
    code = "printer_offline"


class FontMissing(PrintError):
    code = "font_missing"

"""One error type for everything the user asked for wrongly.

Like einops' EinopsError: the message says what was asked, what was given and what to type
instead. The CLI prints it as one sentence and exits with code 2; it never shows a traceback.
"""


class TensorsightError(Exception):
    """A mistake in what the user asked tensorsight to do (bad shape spec, missing file...)."""


class ForwardError(Exception):
    """The user's model raised while being traced. Carries the partial trace (exit code 1)."""

    def __init__(self, message: str, trace=None, original: BaseException | None = None):
        super().__init__(message)
        self.trace = trace
        self.original = original

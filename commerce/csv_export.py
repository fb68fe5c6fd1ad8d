"""CSV downloads that are safe to open in a spreadsheet, streamed row by row.

Every cell that a spreadsheet would read as the start of a formula (``=``, ``+``, ``-``, ``@``,
tab, carriage return: OWASP's CSV injection list) gets a leading apostrophe, so staff opening an
export never run what a customer typed into a name or an address.
"""

import csv
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The cell as text (``None`` as empty), an apostrophe in front of anything that starts a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object whose ``write`` hands the line back, for streaming ``csv.writer`` rows."""

    def write(self, value):
        return value


def csv_lines(rows: Iterable[Sequence]) -> Iterator[str]:
    """The rows as CSV lines, every cell made safe."""
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def csv_response(rows: Iterable[Sequence], *, filename: str) -> StreamingHttpResponse:
    """A streamed ``text/csv`` download of the rows (a header row first, if the caller gives one)."""
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

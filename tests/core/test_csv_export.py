"""CSV downloads: every cell that could start a spreadsheet formula is made plain text."""

import csv
import io

import pytest

from commerce.csv_export import csv_lines, csv_response, safe_cell


@pytest.mark.parametrize("value", ["=SUM(A1)", "+1234", "-2", "@cmd", "\tx", "\rx"])
def test_a_cell_that_would_start_a_formula_gets_an_apostrophe(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize(("value", "shown"), [("ABC-123", "ABC-123"), (None, ""), (7, "7"), ("a=b", "a=b")])
def test_other_cells_are_kept_as_text(value, shown):
    assert safe_cell(value) == shown


def test_csv_response_streams_rows_with_quoting_and_a_file_name():
    response = csv_response([["code", "name"], ["X1", 'say "hi", =now'], ["X2", "=1+1"]], filename="codes.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="codes.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [["code", "name"], ["X1", 'say "hi", =now'], ["X2", "'=1+1"]]
    assert "".join(csv_lines([["a"]])) == "a\r\n"

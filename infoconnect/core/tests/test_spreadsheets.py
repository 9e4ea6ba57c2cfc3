import csv
import io

import pytest

from infoconnect.core import spreadsheets


@pytest.mark.parametrize("text", ["=1+1", "+1 call", "-1+2", "@SUM(A1)", "\tx", "\rx"])
def test_a_text_cell_a_spreadsheet_would_run_is_quoted(text):
    assert spreadsheets.safe_row([text]) == ["'" + text]


@pytest.mark.parametrize("value", ["-12.34", "300", "+5", 7, -3, None])
def test_numbers_and_plain_amounts_stay_numbers(value):
    assert spreadsheets.safe_row([value]) == [value]


def test_the_writer_quotes_every_row_it_writes():
    out = io.StringIO()
    writer = spreadsheets.writer(out)
    writer.writerow(['=HYPERLINK("http://evil.example")', "-1.50"])
    writer.writerows([["@x", 2]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ['\'=HYPERLINK("http://evil.example")', "-1.50"],
        ["'@x", "2"],
    ]

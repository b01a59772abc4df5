import csv
import io

from essportal.web.spreadsheet import spreadsheet_cell, spreadsheet_response


def test_ordinary_values_are_written_unchanged():
    for value in ["Anna Bakker", "anna@example.nl", "1234", "Øzgür Şahin", "", "a-b", "a=b"]:
        assert spreadsheet_cell(value) == value
    assert spreadsheet_cell(None) == ""
    assert spreadsheet_cell(42) == "42"


def test_a_value_that_would_start_a_formula_gets_a_quote_in_front():
    for value in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "  =1", "＝1"]:
        assert spreadsheet_cell(value) == "'" + value


def test_the_download_quotes_every_cell_and_keeps_separators_and_quotes_inside_a_cell():
    response = spreadsheet_response([["a;b", 'say "hi"', "=x"]], filename="report.csv")
    assert response["Content-Disposition"] == 'attachment; filename="report.csv"'
    text = b"".join(response.streaming_content).decode()
    assert text == '"a;b";"say ""hi""";"\'=x"\r\n'
    assert next(csv.reader(io.StringIO(text), delimiter=";")) == ["a;b", 'say "hi"', "'=x"]

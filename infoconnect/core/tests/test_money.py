import pytest

from infoconnect.core.money import format_money, parse_money, plain_amount


@pytest.mark.parametrize(
    ("fen", "shown"),
    [(1234, "¥12.34"), (0, "¥0.00"), (5, "¥0.05"), (123456789, "¥1,234,567.89"), (-250, "-¥2.50")],
)
def test_format_money_shows_yuan_with_two_decimals(fen, shown):
    assert format_money(fen) == shown


@pytest.mark.parametrize(
    ("text", "fen"), [("12.34", 1234), ("¥12", 1200), ("0.5", 50), ("1,000.00", 100000)]
)
def test_parse_money_reads_yuan(text, fen):
    assert parse_money(text) == fen


@pytest.mark.parametrize("text", ["", "abc", "1.234", "-1", "1.2.3"])
def test_parse_money_rejects_bad_amounts(text):
    with pytest.raises(ValueError):
        parse_money(text)


def test_plain_amount_is_the_number_a_form_or_a_spreadsheet_reads():
    assert [plain_amount(fen) for fen in (0, 5, 12345, -5, -123456)] == [
        "0.00", "0.05", "123.45", "-0.05", "-1234.56",
    ]  # fmt: skip
    assert parse_money(plain_amount(12345)) == 12345

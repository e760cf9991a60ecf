import pytest

from stockrnn.common.errors import InvalidTickerError
from stockrnn.common.symbols import file_stem, normalize


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("aapl", "AAPL"),
        ("BRK.B", "BRK-B"),
        ("^gspc", "^GSPC"),
        ("0700.HK", "0700.HK"),
        ("CL=F", "CL=F"),
    ],
)
def test_normalize_accepts_real_symbols(raw: str, want: str) -> None:
    assert normalize(raw) == want


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "  ",
        "../x",
        "A/B",
        "A\\B",
        "..",
        "A..B",
        "A B",
        "X" * 16,
        "X" * 200,
        "ÄPFEL",
        "A\x00B",
        "A\nB",
        "-AB",
    ],
)
def test_normalize_refuses_unsafe(raw: str) -> None:
    with pytest.raises(InvalidTickerError):
        normalize(raw)


def test_index_symbol_gets_safe_file_name() -> None:
    assert file_stem(normalize("^GSPC")) == "_GSPC"

"""How the app writes a number: one module, three named ways, for every page, export and
command (the lowest layer, so scoring and the reports use it too).

>>> from decimal import Decimal
>>> plain(Decimal("36.50")), plain(Decimal("184.0")), plain(None)
('36.5', '184', '')
>>> one_decimal(Decimal("115.55")), one_decimal(184), one_decimal(None)
('115.6', '184', '')
>>> grouped(Decimal("1910")), grouped(Decimal("36.50"))
('1,910', '36.5')
>>> decimal_string(Decimal("184"), places=1), decimal_string(None, places=1)
('184.0', None)
"""

from decimal import Decimal

Number = Decimal | int | float


def _decimal(value: Number) -> Decimal:
    # Through str: a float such as 0.1 + 0.2 reads as its shortest repr, not its binary value.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def plain(value: Number | None) -> str:
    """Without trailing zeros or exponent: 184.0 -> '184', 36.50 -> '36.5', None -> ''.
    What a person types back into a form, and what the report prints for scores."""
    if value is None:
        return ""
    return f"{_decimal(value).normalize():f}"


def one_decimal(value: Number | None) -> str:
    """Scores as they are kept (one decimal at most): whole numbers without a decimal,
    others rounded to one: 184 -> '184', 115.55 -> '115.6', None -> ''."""
    if value is None:
        return ""
    number = _decimal(value)
    if number == number.to_integral_value():
        return str(int(number))
    return f"{number.quantize(Decimal('0.1'))}"


def grouped(value: Number) -> str:
    """Counts in prose, as the seed writes them: 1910 -> '1,910', 36.50 -> '36.5'."""
    number = _decimal(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():,f}"


def decimal_string(value: Number | None, *, places: int) -> str | None:
    """A decimal for a JSON document: a string with a fixed number of places (the report's
    schema allows no binary float), None stays None: 184 -> '184.0' with one place."""
    if value is None:
        return None
    return str(_decimal(value).quantize(Decimal(1).scaleb(-places)))

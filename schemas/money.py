"""Money as deals carry it: an ISO 4217 currency and a decimal amount written as a string.

Amounts travel as JSON strings (``"125000.00"``), never as floats, so no cent is lost on the
way through a spreadsheet or a CRM; an amount may have at most as many decimals as its
currency has minor units (two for EUR, none for JPY, three for KWD) and is stored and
answered with exactly that many.
"""

from __future__ import annotations

import re
from decimal import Decimal

__all__ = ["AMOUNT_PATTERN", "CURRENCY_MINOR_UNITS", "MAX_AMOUNT_DIGITS", "normalise_amount"]

#: Digits before the decimal point an amount may have (a trillion of anything is plenty).
MAX_AMOUNT_DIGITS = 15

AMOUNT_PATTERN = re.compile(r"^\d{1,15}(\.\d{1,4})?$")
"""A non-negative decimal with at most four decimals (the most any currency has)."""

_MINOR_UNIT_EXCEPTIONS = {
    # ISO 4217 (list one, active codes) currencies whose minor unit is not 2.
    0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF",
    3: "BHD IQD JOD KWD LYD OMR TND",
    4: "CLF UYW",
}
_TWO_DECIMALS = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN "
    "BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB "
    "EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR "
    "KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR "
    "MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK "
    "SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU "
    "UZS VED VES WST XCD YER ZAR ZMW ZWG"
)

CURRENCY_MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(_TWO_DECIMALS.split(), 2),
    **{code: units for units, codes in _MINOR_UNIT_EXCEPTIONS.items() for code in codes.split()},
}
"""Every active ISO 4217 currency code with its number of minor units."""


def normalise_amount(amount: str, currency: str) -> str:
    """The amount written with exactly the currency's minor units.

    Raises ``ValueError`` (with the reason in words) for an amount that is not a
    non-negative decimal string or has more decimals than the currency allows.

    Examples
    --------
    >>> normalise_amount("125000", "EUR"), normalise_amount("7.5", "KWD")
    ('125000.00', '7.500')
    >>> normalise_amount("1000", "JPY")
    '1000'
    >>> normalise_amount("10.5", "JPY")
    Traceback (most recent call last):
    ...
    ValueError: JPY amounts have no decimals
    """
    if not AMOUNT_PATTERN.match(amount):
        raise ValueError(
            f'must be a non-negative decimal string such as "125000.00" (at most '
            f"{MAX_AMOUNT_DIGITS} digits before the point)"
        )
    units = CURRENCY_MINOR_UNITS[currency]
    decimals = len(amount.partition(".")[2])
    if decimals > units:
        if units == 0:
            raise ValueError(f"{currency} amounts have no decimals")
        raise ValueError(f"{currency} amounts have at most {units} decimals")
    return f"{Decimal(amount):.{units}f}"

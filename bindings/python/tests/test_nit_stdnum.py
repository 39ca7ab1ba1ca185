"""Differential test: bmc_core.nit against python-stdnum's stdnum.co.nit.

100,000 generated inputs, valid and invalid, of every length from 0 to 20, with the
separators people type, Unicode look-alikes, letters and odd characters. Every function must
give the same answer (or both must raise, with the same exception class for validate).
"""

import random

import pytest

stdnum_nit = pytest.importorskip("stdnum.co.nit")
from stdnum import exceptions as stdnum_errors  # noqa: E402

from bmc_core import errors, nit  # noqa: E402

COUNT = 100_000
ODD = list(
    ".,- -\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d\u00a0\u2009\u202f\u3000"
    "\t\n\r\x0b\x0c\x1c\x1f\x85\u200b"
    "\uff10\uff11\uff19\u0663\u06f5\u0967\U0001d7ce\U0001d7d7"
    "aAzZñÑéÉüßﬀıİΰŉ/:*'\u00b7\u2022\u060c\u3002#+()[]_\\\"$%&\u20ac😀\u0301"
)
DIGITS = "0123456789"


def _random_text(rng: random.Random, length: int) -> str:
    out = []
    for _ in range(length):
        r = rng.random()
        out.append(rng.choice(DIGITS) if r < 0.75 else rng.choice(ODD))
    return "".join(out)


def _formatted_valid(rng: random.Random) -> str:
    base = "".join(rng.choice(DIGITS) for _ in range(rng.randint(7, 15)))
    full = base + stdnum_nit.calc_check_digit(base)
    style = rng.randrange(5)
    if style == 0:
        return full
    if style == 1:
        return stdnum_nit.format(full)
    if style == 2:
        return f"{base}-{full[-1]}"
    if style == 3:
        return " ".join(full[i:i + 3] for i in range(0, len(full), 3))
    return f" {base}\u2013{full[-1]} "


def _corrupted(rng: random.Random) -> str:
    text = list(_formatted_valid(rng))
    i = rng.randrange(len(text))
    op = rng.randrange(3)
    if op == 0:
        text[i] = rng.choice(DIGITS + "".join(ODD))
    elif op == 1:
        del text[i]
    else:
        text.insert(i, rng.choice(DIGITS + "".join(ODD)))
    return "".join(text)


def inputs():
    rng = random.Random(20261128)
    for n in range(COUNT):
        kind = n % 4
        if kind == 0:
            yield _random_text(rng, n % 21)  # every length 0..20
        elif kind == 1:
            yield _formatted_valid(rng)
        elif kind == 2:
            yield _corrupted(rng)
        else:
            yield "".join(rng.choice(DIGITS) for _ in range(rng.randint(0, 20)))


def _outcome(fn, text):
    try:
        return ("ok", fn(text))
    except Exception as e:  # noqa: BLE001 - the class is what is compared
        return ("raise", type(e).__name__)


EXCEPTION_NAMES = {
    stdnum_errors.InvalidLength.__name__,
    stdnum_errors.InvalidFormat.__name__,
    stdnum_errors.InvalidChecksum.__name__,
}


def test_differential_against_stdnum():
    disagreements = []
    lengths = set()
    valid = 0
    for text in inputs():
        lengths.add(len(text))
        ours_compact, theirs_compact = nit.compact(text), stdnum_nit.compact(text)
        if ours_compact != theirs_compact:
            disagreements.append(("compact", text, ours_compact, theirs_compact))
        ours, theirs = _outcome(nit.validate, text), _outcome(stdnum_nit.validate, text)
        if ours != theirs:
            disagreements.append(("validate", text, ours, theirs))
        assert ours[0] == "ok" or ours[1] in EXCEPTION_NAMES
        if nit.is_valid(text) != stdnum_nit.is_valid(text):
            disagreements.append(("is_valid", text))
        valid += nit.is_valid(text)
        ours_f, theirs_f = _outcome(nit.format, text), _outcome(stdnum_nit.format, text)
        if ours_f[0] != theirs_f[0] or (ours_f[0] == "ok" and ours_f != theirs_f):
            disagreements.append(("format", text, ours_f, theirs_f))
        digits = "".join(c for c in text if c in DIGITS)[:15]
        if digits and nit.calc_check_digit(digits) != stdnum_nit.calc_check_digit(digits):
            disagreements.append(("calc_check_digit", digits))
    assert disagreements == [], disagreements[:20]
    assert set(range(21)) <= lengths
    assert valid > COUNT // 5  # a real share of the inputs are valid NITs


def test_errors_are_stdnum_shaped():
    with pytest.raises(errors.InvalidLength) as info:
        nit.validate("1234567")
    assert info.value.code == "NIT_INVALID_LENGTH"
    assert isinstance(info.value, ValueError)
    with pytest.raises(errors.InvalidFormat):
        nit.validate("80019726A4")
    with pytest.raises(errors.InvalidChecksum):
        nit.validate("800197268-5")


def test_documented_difference_in_calc_check_digit():
    # stdnum ignores digits past the 15th; DIAN's weights stop at 15, so we refuse them.
    with pytest.raises(errors.InvalidLength):
        nit.calc_check_digit("1234567890123456")
    with pytest.raises(errors.InvalidFormat):
        nit.calc_check_digit("12a")

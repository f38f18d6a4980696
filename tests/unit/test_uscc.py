import pytest

from models.uscc import ALPHABET, check_character, normalize_uscc, uscc_error


def test_a_published_valid_code_is_accepted():
    assert uscc_error("91110000600037341L") is None


@pytest.mark.parametrize("first", ["A", "N", "Y", "1", "5", "9"])
def test_codes_that_begin_with_a_letter_or_digit_are_legal(first):
    first17 = first + "1310115MA1K4LQ7X"
    assert uscc_error(first17 + check_character(first17)) is None


def test_a_wrong_check_character_is_named_as_the_problem():
    message = str(uscc_error("91110000600037341M"))
    assert "校验位" in message


@pytest.mark.parametrize("code", ["91110000600037341", "91110000600037341L0", ""])
def test_a_wrong_length_says_how_many_characters_were_given(code):
    message = str(uscc_error(code))
    assert "18位" in message and str(len(code)) in message


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_letters_outside_the_alphabet_are_refused(letter):
    assert letter not in ALPHABET
    code = "9111000060003734" + letter + "L"
    message = str(uscc_error(code))
    assert letter in message


def test_lowercase_is_refused_by_the_validator_but_normalised_from_user_input():
    assert uscc_error("91110000600037341l") is not None
    assert normalize_uscc(" 9111 0000 6000 3734 1l ") == "91110000600037341L"
    assert uscc_error(normalize_uscc("91110000600037341l")) is None


def test_the_check_character_follows_gb_32100():
    # Σ value·3^(i-1) mod 31, check = (31 − Σ mod 31) mod 31
    first17 = "91110000600037341"
    total = sum(ALPHABET.index(ch) * pow(3, i, 31) for i, ch in enumerate(first17))
    assert check_character(first17) == ALPHABET[(31 - total % 31) % 31] == "L"

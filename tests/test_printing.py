"""Which operands of a printing call fmt formats through their String or Error method."""

from golint_im.printing import PRINTERS, format_verbs, formatted_positions


def test_verbs_in_order_skipping_percent_signs_and_reading_flags():
    assert format_verbs("%v and %5.2f%% of %-s, %#v") == [("", "v"), ("", "f"), ("-", "s"), ("#", "v")]


def test_an_operand_whose_place_is_not_fixed_makes_the_format_unread():
    assert format_verbs("%[2]v %v") is None
    assert format_verbs("%*d %v") is None


def test_only_string_verbs_without_hash_call_string():
    sprintf = PRINTERS[("fmt", "Sprintf")]
    assert formatted_positions(sprintf, 4, "%v %d %#v") == [1]
    assert formatted_positions(sprintf, 2, None) is None  # the format is not a constant


def test_print_style_calls_format_every_operand_after_the_writer():
    assert formatted_positions(PRINTERS[("fmt", "Fprintln")], 3, None) == [1, 2]
    assert formatted_positions(PRINTERS[("log", "Print")], 2, None) == [0, 1]

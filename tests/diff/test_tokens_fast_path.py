"""The fast tokenizer for texts without combining marks splits exactly as the full pattern does."""

from hypothesis import given
from hypothesis import strategies as st

from versioner.diff.tokens import TOKEN, WORD, tokenize, words

TEXTS = st.text(
    alphabet=st.sampled_from("ab Zé\u0301\u0300\n\t.,-ß\u05d0\u0903\U0001d165\u200b1"), max_size=40
)


@given(TEXTS | st.text(max_size=40))
def test_tokens_and_words_are_those_of_the_full_patterns(text):
    assert tokenize(text) == TOKEN.findall(text)
    assert words(text) == WORD.findall(text)


def test_a_combining_mark_stays_inside_its_word():
    assert words("cafe\u0301 noir") == ["cafe\u0301", "noir"]
    assert tokenize("naïve cafe\u0301") == ["naïve", " ", "cafe\u0301"]

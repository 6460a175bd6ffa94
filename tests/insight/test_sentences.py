"""The sentence splitter on the abbreviations and quotes of the corpus' languages."""

from versioner.insight.sentences import guess_language, sentences


def test_doctor_and_us_do_not_end_an_english_sentence():
    text = "Dr. Smith flew to the U.S. on Monday. He returned on Friday."
    assert sentences(text, "en") == ("Dr. Smith flew to the U.S. on Monday.", "He returned on Friday.")


def test_zum_beispiel_and_ordinal_dates_do_not_end_a_german_sentence():
    text = "Das gilt z. B. für Hunde. Die Regel tritt am 1. Mai in Kraft."
    assert sentences(text, "de") == ("Das gilt z. B. für Hunde.", "Die Regel tritt am 1. Mai in Kraft.")


def test_statute_citations_stay_in_their_sentence():
    text = "Nach § 5 Abs. 1 Nr. 2 gilt das. Art. 3 bleibt unberührt."
    assert sentences(text, "de") == ("Nach § 5 Abs. 1 Nr. 2 gilt das.", "Art. 3 bleibt unberührt.")


def test_monsieur_does_not_end_a_french_sentence():
    text = "M. Dupont est arrivé hier. Mme Durand était déjà là."
    assert sentences(text, "fr") == ("M. Dupont est arrivé hier.", "Mme Durand était déjà là.")


def test_a_sentence_ending_inside_quotes_ends_after_the_quote():
    text = 'He said "It was fine." Then he left.'
    assert sentences(text, "en") == ('He said "It was fine."', "Then he left.")


def test_a_german_quote_with_low_and_high_marks_stays_whole():
    text = "Müller sagte: „Das ist gut.“ Danach ging er."
    assert sentences(text, "de") == ("Müller sagte: „Das ist gut.“", "Danach ging er.")


def test_line_breaks_inside_a_paragraph_are_read_as_spaces():
    assert sentences("Zuständig sind die\nKrankenkassen.", "de") == ("Zuständig sind die Krankenkassen.",)


def test_a_closing_mark_split_off_stays_with_its_sentence():
    text = "First one. See the old terms [here](https://example.org/old)._"
    assert sentences(text, "en") == ("First one.", "See the old terms [here](https://example.org/old)._")


def test_an_empty_paragraph_has_no_sentences():
    assert sentences("  ", "en") == ()


def test_the_language_is_the_one_whose_function_words_are_commonest():
    assert guess_language("Der Hund und die Katze sind nicht auf dem Dach.") == "de"
    assert guess_language("Le chat est sur le toit et il ne descend pas.") == "fr"
    assert guess_language("The cat is on the roof and it will not come down.") == "en"


def test_a_text_without_function_words_is_taken_as_english():
    assert guess_language("12345 67890") == "en"


def test_each_list_item_of_a_paragraph_is_split_on_its_own():
    text = "Zuständig sind\n1. die Kassen,\n2. die Ämter."
    assert sentences(text, "de") == ("Zuständig sind", "1. die Kassen,", "2. die Ämter.")


def test_each_table_row_of_a_paragraph_is_split_on_its_own():
    assert sentences("| Name | Role |\n| Ada | Chair |", "en") == ("| Name | Role |", "| Ada | Chair |")

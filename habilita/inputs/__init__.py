"""The rules every input obeys, in one place: pure, so validators, models and the console share them.

- :mod:`.text`: no control characters, and never longer than where the value is kept;
- :mod:`.identifiers`: NITs, PINs, GUIDs, phones, document numbers are ASCII digits and letters by
  pattern (``str.isdigit()`` also takes other scripts' digits, which nothing downstream reads);
- :mod:`.words`: names and titles are words, never formulas, markup or code;
- :mod:`.emails`: e-mail addresses, as email-validator reads them;
- :mod:`.limits`: the longest value of each field, equal to the column it is kept in.

Each check answers with a :class:`~habilita.messages.Problem` (or None), so a form shows it at its field
in the reader's language. Nothing here imports a package of ours but ``messages`` (and ``fonts``).
"""

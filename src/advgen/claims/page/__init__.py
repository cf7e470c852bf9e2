"""The claims page: its job (:mod:`.page_spec`, :mod:`.page_job`), the verdict table
(:mod:`.table`), its rows in words (:mod:`.cells`), the verdict counts (:mod:`.counts`), its
views (:mod:`.views`: the HTML page through :mod:`.html` and ``page.html.j2``, the Markdown, the
report's text), the digest before the tables (:mod:`.digest`), the round's header
(:mod:`.round_header`), the README's summary (:mod:`.readme`) and the comparison of two verdict
tables (:mod:`.compare`)."""

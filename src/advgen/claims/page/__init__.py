"""The claims page: its job (:mod:`.page_spec`, :mod:`.page_job`), the verdict table and its
views (:mod:`.report`), the digest before the tables (:mod:`.digest`), the round's header
(:mod:`.round_header`), the HTML (:mod:`.html`, ``page.html.j2``) and the comparison of two
verdict tables (:mod:`.compare`)."""

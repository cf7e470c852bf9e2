"""The freeze record: its format (:mod:`.freeze_format`), writer (:mod:`.freeze_record`) and
reader (:mod:`.freeze_reader`), its files read safely (:mod:`.bounded_files`), and the study's
phase it sets (:mod:`.phase`)."""

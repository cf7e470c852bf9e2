"""Reading the claims file: its data model (:mod:`.model`), the expressions of a side
(:mod:`.expressions`), each key's checks (:mod:`.fields`), the source texts' quotes
(:mod:`.sources`), the claims built from the file (:mod:`.spec`) and the reader itself
(:mod:`.claims_file`)."""

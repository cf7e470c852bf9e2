"""One module per ``advgen`` subcommand (see :mod:`advgen.cli` for the contract)."""

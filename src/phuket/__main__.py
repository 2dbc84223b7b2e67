"""`python -m phuket ...` is the same as the `phuket` command."""

from phuket.cli import main

raise SystemExit(main())

import sys

from habilita.cli import main

sys.exit(main())

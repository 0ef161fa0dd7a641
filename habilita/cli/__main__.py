from habilita.cli import main

main()

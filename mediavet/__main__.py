from mediavet.cli import main

main()

from euprojects.cli import main

main()

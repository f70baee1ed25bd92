from .printer import main

main()

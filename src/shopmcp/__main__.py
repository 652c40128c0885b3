from shopmcp.cli import main

main()

import WeirCLI

await WeirCommand.main()

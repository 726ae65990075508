import WeirCLI

await WeirCommand.runAsMain()

print("logsift")

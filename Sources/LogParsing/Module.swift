// LogParsing

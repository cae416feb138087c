// LogsiftEngine

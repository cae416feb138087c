// LogReport
